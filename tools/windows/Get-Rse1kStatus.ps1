<#
.SYNOPSIS
    Shows the state of rse1k on this machine: test signing, devices and their binding, driver-store
    packages, the NDIS adapter, and Driver Verifier settings and live counters.
.DESCRIPTION
    Read-only; safe to run repeatedly. Elevation is needed for the verifier output only.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')

Write-Host ("Test signing in this boot: {0}" -f (Test-Rse1kTestSigning))
Write-Host ("Secure Boot: {0}" -f (Test-Rse1kSecureBoot))

foreach ($device in @(Get-Rse1kDevice)) {
    $service = Get-Rse1kDeviceService -InstanceId $device.InstanceId
    Write-Host ("Device {0}: {1}, status {2}, service {3}" -f $device.InstanceId, $device.FriendlyName, $device.Status, $service)
    Get-NetAdapter -ErrorAction SilentlyContinue |
        Where-Object { $_.PnPDeviceID -eq $device.InstanceId } |
        Format-Table -Property @('Name', 'InterfaceDescription', 'Status', 'LinkSpeed', 'MacAddress') -AutoSize | Out-Host
}

Write-Host 'Driver-store packages for the e1000 hardware IDs:'
Get-Rse1kDriverStoreInf | ForEach-Object { Write-Host "  $_" }

if (Test-Rse1kElevated) {
    Write-Host 'Driver Verifier settings:'
    Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/querysettings') | Out-Null
    Write-Host 'Driver Verifier live statistics:'
    Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/query') | Out-Null
} else {
    Write-Warning 'Not elevated: Driver Verifier state not shown.'
}
