<#
.SYNOPSIS
    Undoes what the other scripts did: Driver Verifier settings, the installed package, the test
    certificate. Each part only when asked, each idempotent.
.PARAMETER Verifier
    verifier /reset (takes effect after a reboot).
.PARAMETER Uninstall
    pnputil /delete-driver <oemNN.inf> /uninstall /force for every rse1k package in the driver
    store: the packages whose original INF name is rse1k.inf (pnputil /enum-drivers), bound to a
    device or not. Other packages for the same hardware (an Intel package, the inbox driver) are
    never touched; the devices fall back to the best remaining driver.
.PARAMETER Certificate
    Removes WDRLocalTestCert from LocalMachine\Root and LocalMachine\TrustedPublisher.
.EXAMPLE
    .\Reset-Rse1k.ps1 -Verifier -Uninstall -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch]$Verifier,
    [switch]$Uninstall,
    [switch]$Certificate
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')
Assert-Rse1kElevated -WhatIfRun:$WhatIfPreference

if (-not ($Verifier -or $Uninstall -or $Certificate)) {
    throw 'Nothing to do: pass -Verifier, -Uninstall and/or -Certificate.'
}

if ($Verifier -and $PSCmdlet.ShouldProcess('Driver Verifier', 'verifier /reset')) {
    $code = Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/reset')
    if ($code -ne 0 -and $code -ne 2) { throw "verifier /reset failed with exit code $code." }
}

if ($Uninstall) {
    $infs = @(Get-Rse1kPublishedInf)
    if ($infs.Count -eq 0) { Write-Host 'No rse1k package in the driver store.' }
    foreach ($inf in $infs) {
        if ($PSCmdlet.ShouldProcess($inf, 'pnputil /delete-driver /uninstall /force')) {
            $code = Invoke-Rse1kTool -FilePath 'pnputil.exe' -ArgumentList @('/delete-driver', $inf, '/uninstall', '/force')
            if ($code -ne 0 -and $code -ne 3010) { throw "pnputil /delete-driver $inf failed with exit code $code." }
        }
    }
}

if ($Certificate) {
    foreach ($store in @('Root', 'TrustedPublisher')) {
        Get-ChildItem -Path "Cert:\LocalMachine\$store" |
            Where-Object { $_.Subject -eq 'CN=WDRLocalTestCert' } |
            ForEach-Object {
                if ($PSCmdlet.ShouldProcess("LocalMachine\$store\$($_.Thumbprint)", 'Remove certificate')) {
                    Remove-Item -LiteralPath $_.PSPath
                }
            }
    }
}
