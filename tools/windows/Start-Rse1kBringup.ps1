<#
.SYNOPSIS
    Brings a fresh Windows test VM to a bound, verified, debuggable rse1k adapter, resuming by
    itself across the reboots it needs: test signing and KDNET -> reboot -> forced install ->
    Driver Verifier -> reboot -> status, ending by printing the exact WinDbg command.
.DESCRIPTION
    Run it once, elevated, from the shared disk the rse1k-vm launcher attaches (label RSE1K):
        powershell -ExecutionPolicy Bypass -File E:\tools\Start-Rse1kBringup.ps1
    It copies the share to C:\rse1k (the package, these scripts, bringup-settings.txt written by
    the launcher: host IP, port, KDNET key, busparams), then works through the stages below,
    recording the last finished stage in C:\rse1k\bringup-state.txt. Before each reboot it
    registers a scheduled task that runs it again, elevated, at the next logon of this user; the
    task is removed when the last stage is done. Running it again after that only prints the
    status and the WinDbg command.

    Stages:
      1. boot-options  bcdedit /set testsigning on; Setup-Kdnet.ps1 (debug on, net settings,
                       busparams of the KDNET NIC) -- then reboot
      2. install       Install-Rse1k.ps1 -Force (the inbox driver outranks a test-signed one)
      3. verifier      Enable-Rse1kVerifier.ps1 -- then reboot
      4. done          Get-Rse1kStatus.ps1; print the WinDbg command
.PARAMETER NoReboot
    Stop before each reboot and say so, instead of restarting the VM (the task still resumes
    the bring-up at the next logon).
.PARAMETER Root
    Where the bring-up keeps its copy of the share and its state (default C:\rse1k).
#>
[CmdletBinding()]
param(
    [switch]$NoReboot,
    [string]$Root = 'C:\rse1k'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')
Assert-Rse1kElevated

$taskName = 'rse1k-bringup'
$stateFile = Join-Path $Root 'bringup-state.txt'
$stages = @('boot-options', 'install', 'verifier', 'done')

# The settings the launcher wrote: hostip, port, key, busparams (key=value lines).
function Read-BringupSettings {
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        throw "No ${Path}: start the VM with the rse1k-vm launcher, which writes it on the shared disk."
    }
    $settings = @{}
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^\s*([a-z]+)\s*=\s*(\S+)\s*$') { $settings[$Matches[1]] = $Matches[2] }
    }
    foreach ($name in @('hostip', 'port', 'key', 'busparams')) {
        if (-not $settings.ContainsKey($name)) { throw "$Path has no $name= line." }
    }
    return $settings
}

function Get-BringupStage {
    if (Test-Path -LiteralPath $stateFile) { return (Get-Content -LiteralPath $stateFile -TotalCount 1).Trim() }
    return ''
}

function Set-BringupStage {
    param([string]$Stage)
    Set-Content -LiteralPath $stateFile -Value $Stage
    Write-Host "== bring-up: stage '$Stage' done"
}

# Resume at the next logon of this user, elevated.
function Register-BringupResume {
    $script = Join-Path $Root 'tools\Start-Rse1kBringup.ps1'
    $arguments = "-NoProfile -ExecutionPolicy Bypass -File `"$script`" -Root `"$Root`""
    if ($NoReboot) { $arguments += ' -NoReboot' }
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
    $user = [Security.Principal.WindowsIdentity]::GetCurrent().Name
    $trigger = New-ScheduledTaskTrigger -AtLogOn -User $user
    $principal = New-ScheduledTaskPrincipal -UserId $user -LogonType Interactive -RunLevel Highest
    Register-ScheduledTask -TaskName $taskName -Action $action -Trigger $trigger -Principal $principal -Force | Out-Null
}

function Restart-ForBringup {
    param([string]$Why)
    Register-BringupResume
    if ($NoReboot) {
        Write-Host "Reboot now ($Why); the bring-up resumes at the next logon."
        exit 0
    }
    Write-Host "Rebooting in 10 s ($Why); the bring-up resumes at the next logon."
    Start-Sleep -Seconds 10
    Restart-Computer -Force
    exit 0
}

# 0. Copy the share to $Root on the first run (the share is read-only and may be re-staged by
#    the launcher between runs; the package is refreshed from it whenever it is attached).
$shareRoot = (Resolve-Path -LiteralPath (Split-Path -Parent $PSScriptRoot)).Path.TrimEnd('\')
$rootFull = (New-Item -ItemType Directory -Force -Path $Root).FullName.TrimEnd('\')
if ($shareRoot -ne $rootFull) {
    foreach ($item in @('tools', 'rse1k_package', 'bringup-settings.txt')) {
        $source = Join-Path $shareRoot $item
        $target = Join-Path $rootFull $item
        if (Test-Path -LiteralPath $source) {
            # Replace, never merge: Copy-Item into an existing folder would nest it.
            if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Recurse -Force }
            Copy-Item -LiteralPath $source -Destination $target -Recurse -Force
        }
    }
}
$settings = Read-BringupSettings -Path (Join-Path $Root 'bringup-settings.txt')
$tools = Join-Path $Root 'tools'
$package = Join-Path $Root 'rse1k_package'
$windbg = "windbg -k net:port=$($settings['port']),key=$($settings['key'])"

Assert-Rse1kWindowsBuild
$stage = Get-BringupStage
# The stage after the last one finished (an unknown or empty state starts over).
$index = [array]::IndexOf($stages, $stage)
$next = if ($stage -eq 'done') { 'done' } else { $stages[$index + 1] }

if ($next -eq 'boot-options') {
    if (Test-Rse1kSecureBoot) {
        throw 'Secure Boot is on: test signing and kernel debugging are refused. Start the VM with the rse1k-vm launcher (firmware without Secure Boot keys) or turn it off in the firmware setup.'
    }
    $code = Invoke-Rse1kTool -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'on')
    if ($code -ne 0) { throw "bcdedit /set testsigning on failed with exit code $code." }
    & (Join-Path $tools 'Setup-Kdnet.ps1') -HostIp $settings['hostip'] -Port ([int]$settings['port']) -Key $settings['key'] -BusParams $settings['busparams']
    Set-BringupStage 'boot-options'
    Restart-ForBringup 'test signing and KDNET take effect at boot'
}

if ($next -eq 'install') {
    if (-not (Test-Path -LiteralPath (Join-Path $package 'rse1k.inf'))) {
        Register-BringupResume
        throw "No package in ${package}: build it with 'cargo make' on Windows, restart the VM with the launcher's --package, and log on again."
    }
    & (Join-Path $tools 'Install-Rse1k.ps1') -PackagePath $package -Force
    Set-BringupStage 'install'
    $next = 'verifier'
}

if ($next -eq 'verifier') {
    & (Join-Path $tools 'Enable-Rse1kVerifier.ps1')
    Set-BringupStage 'verifier'
    Restart-ForBringup 'Driver Verifier applies at boot'
}

# done: report, stop resuming, print the debugger command.
if ($stage -ne 'done') { Set-BringupStage 'done' }
Unregister-ScheduledTask -TaskName $taskName -Confirm:$false -ErrorAction SilentlyContinue
& (Join-Path $tools 'Get-Rse1kStatus.ps1')
Write-Host ''
Write-Host 'rse1k bring-up finished. On the host (UDP port open in its firewall):'
Write-Host "    $windbg"
Write-Host "KDNET: host $($settings['hostip']), busparams $($settings['busparams']) (the e1000e; the e1000 stays with rse1k)."
