<#
.SYNOPSIS
    Enables Driver Verifier for rse1k.sys: the standard checks (IRQL checking, deadlock detection,
    DDI compliance checking, ...) plus NDIS/WIFI verification.
.DESCRIPTION
    Flags: 0x209BB is the standard set (special pool 0x1, force IRQL checking 0x2, pool tracking
    0x8, I/O verification 0x10, deadlock detection 0x20, DMA checking 0x80, security checks 0x100,
    miscellaneous checks 0x800, DDI compliance checking 0x20000); NDIS/WIFI verification is
    0x200000. -Additional adds DDI compliance checking (additional), 0x80000. Idempotent: the
    same settings are written again. Takes effect after a reboot; check with Get-Rse1kStatus.ps1.
.EXAMPLE
    .\Enable-Rse1kVerifier.ps1 ; Restart-Computer
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch]$Additional
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')
Assert-Rse1kElevated -WhatIfRun:$WhatIfPreference

$standard = 0x209BB
$ndisWifi = 0x200000
$ddiAdditional = 0x80000
$flags = $standard -bor $ndisWifi
if ($Additional) { $flags = $flags -bor $ddiAdditional }
$flagsText = '0x{0:X}' -f $flags

if ($PSCmdlet.ShouldProcess('rse1k.sys', "verifier /flags $flagsText /driver rse1k.sys")) {
    $code = Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/flags', $flagsText, '/driver', 'rse1k.sys')
    # verifier returns 2 when the new settings need a reboot, which they always do here.
    if ($code -ne 0 -and $code -ne 2) {
        throw "verifier /flags failed with exit code $code."
    }
    Write-Host "Driver Verifier set for rse1k.sys with flags $flagsText. Reboot to apply; then 'verifier /querysettings'."
}
