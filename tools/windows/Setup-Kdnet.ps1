<#
.SYNOPSIS
    Configures network kernel debugging (KDNET) on the test machine.
.DESCRIPTION
    bcdedit /debug on; bcdedit /dbgsettings net hostip:<HostIp> port:<Port> [key:<Key>]; and, with
    -BusParams, pins KDNET to one NIC (bcdedit /set {dbgsettings} busparams b.d.f) so that the
    e1000 under test stays with rse1k. Idempotent: the same settings are written again. Prints the
    key to give WinDbg on the host: windbg -k net:port=<Port>,key=<Key>. Reboot to apply.
.PARAMETER HostIp
    IPv4 address of the debugger host as the test machine reaches it.
.PARAMETER Port
    UDP port on the host, 50000-50039.
.PARAMETER Key
    w.x.y.z key (four base-36 parts); omit to let bcdedit generate one.
.PARAMETER BusParams
    PCI bus.device.function of the NIC KDNET should use (must be on the KDNET supported-NIC list
    and not the e1000 under test).
.EXAMPLE
    .\Setup-Kdnet.ps1 -HostIp 10.0.2.2 -Port 50000 -BusParams 0.4.0
    The rse1k-vm launcher's VM: the host as QEMU user-mode networking shows it, and the e1000e
    the launcher places at PCI 0.4.0 for the debugger.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [ValidatePattern('^\d{1,3}(\.\d{1,3}){3}$')]
    [string]$HostIp,

    [ValidateRange(50000, 50039)]
    [int]$Port = 50000,

    [ValidatePattern('^[0-9a-zA-Z]+\.[0-9a-zA-Z]+\.[0-9a-zA-Z]+\.[0-9a-zA-Z]+$')]
    [string]$Key,

    [ValidatePattern('^\d{1,3}\.\d{1,2}\.\d{1}$')]
    [string]$BusParams
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')
Assert-Rse1kElevated -WhatIfRun:$WhatIfPreference

$settings = @('/dbgsettings', 'net', "hostip:$HostIp", "port:$Port")
if ($Key) { $settings += "key:$Key" }

if ($PSCmdlet.ShouldProcess('boot configuration', ('bcdedit ' + ($settings -join ' ')))) {
    $code = Invoke-Rse1kTool -FilePath 'bcdedit.exe' -ArgumentList $settings
    if ($code -ne 0) { throw "bcdedit /dbgsettings failed with exit code $code." }
}
if ($BusParams -and $PSCmdlet.ShouldProcess('{dbgsettings}', "bcdedit /set busparams $BusParams")) {
    $code = Invoke-Rse1kTool -FilePath 'bcdedit.exe' -ArgumentList @('/set', '{dbgsettings}', 'busparams', $BusParams)
    if ($code -ne 0) { throw "bcdedit /set busparams failed with exit code $code." }
}
if ($PSCmdlet.ShouldProcess('current boot entry', 'bcdedit /debug on')) {
    $code = Invoke-Rse1kTool -FilePath 'bcdedit.exe' -ArgumentList @('/debug', 'on')
    if ($code -ne 0) { throw "bcdedit /debug on failed with exit code $code." }
}
if (-not $WhatIfPreference) {
    Write-Host 'Current debug settings (the Key line is what WinDbg needs):'
    Invoke-Rse1kTool -FilePath 'bcdedit.exe' -ArgumentList @('/dbgsettings') | Out-Null
    $keyText = if ($Key) { $Key } else { '<the Key printed above>' }
    Write-Host "On the host: windbg -k net:port=$Port,key=$keyText   then reboot this machine."
}
