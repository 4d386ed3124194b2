<#
.SYNOPSIS
    Installs the test-signed rse1k package on a test machine and verifies that every e1000
    adapter is bound to it, saying exactly what it found.
.DESCRIPTION
    Windows ships its own driver for the 82540EM, signed by Microsoft. Driver ranking puts the
    signature first, so that inbox driver outranks a test-signed rse1k, and
    `pnputil /add-driver ... /install` does not force a lower-ranked driver onto a device: without
    -Force the package lands in the driver store but the device keeps the inbox driver. -Force
    installs rse1k on the devices anyway, through UpdateDriverForPlugAndPlayDevices with
    INSTALLFLAG_FORCE (what `devcon update` does; Device Manager's "Have Disk" is the manual way).

    Steps, each idempotent: check the Windows build (19041 or later) and test signing; trust the
    test certificate (LocalMachine\Root and \TrustedPublisher); check the signatures; add the
    package to the driver store (pnputil /add-driver /install); with -Force, force it onto each
    e1000; then, for every e1000, report its service, driver INF (and whether that INF is an rse1k
    package), status, problem code and NDIS adapter, and the matching drivers with their ranks
    when it is not bound to rse1k.
.PARAMETER PackagePath
    The folder `cargo make` produced: target\<profile>\rse1k_package (rse1k.inf, rse1k.sys,
    rse1k.cat, rse1k.pdb, WDRLocalTestCert.cer).
.PARAMETER Force
    Install rse1k even where a better-ranked driver (the inbox one) would be chosen.
.EXAMPLE
    .\Install-Rse1k.ps1 -PackagePath C:\rse1k\target\debug\rse1k_package -Force
.EXAMPLE
    .\Install-Rse1k.ps1 -PackagePath .\rse1k_package -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter()]
    [string]$PackagePath = (Join-Path $PSScriptRoot '..\..\target\debug\rse1k_package'),

    [switch]$Force
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')

Assert-Rse1kElevated -WhatIfRun:$WhatIfPreference
Assert-Rse1kWindowsBuild
Assert-Rse1kTestSigning

$PackagePath = (Resolve-Path -LiteralPath $PackagePath).Path
foreach ($file in @('rse1k.inf', 'rse1k.sys', 'rse1k.cat', $script:Rse1kCertificateFile)) {
    if (-not (Test-Path -LiteralPath (Join-Path $PackagePath $file))) {
        throw "Package is incomplete: $file is missing from $PackagePath (run 'cargo make' on the build machine)."
    }
}

# 1. Trust the test certificate: Root (chain) and TrustedPublisher (no prompt for the signer).
$certificatePath = Join-Path $PackagePath $script:Rse1kCertificateFile
$certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($certificatePath)
foreach ($store in @('Root', 'TrustedPublisher')) {
    $location = "Cert:\LocalMachine\$store"
    if (Test-Path -LiteralPath (Join-Path $location $certificate.Thumbprint)) {
        Write-Host "Certificate $($certificate.Subject) already in LocalMachine\$store."
    } elseif ($PSCmdlet.ShouldProcess("LocalMachine\$store", "Import $($certificate.Subject) ($($certificate.Thumbprint))")) {
        Import-Certificate -FilePath $certificatePath -CertStoreLocation $location | Out-Null
    }
}

# 2. The catalog and the binary must now verify against that certificate.
foreach ($file in @('rse1k.cat', 'rse1k.sys')) {
    $signature = Get-AuthenticodeSignature -FilePath (Join-Path $PackagePath $file)
    if ($signature.Status -ne 'Valid' -and -not $WhatIfPreference) {
        throw "Signature of $file is '$($signature.Status)': $($signature.StatusMessage)"
    }
}

# 3. Add to the driver store and install where rse1k is the best-ranked driver.
$inf = Join-Path $PackagePath 'rse1k.inf'
if ($PSCmdlet.ShouldProcess($inf, 'pnputil /add-driver /install')) {
    $code = Invoke-Rse1kTool -FilePath 'pnputil.exe' -ArgumentList @('/add-driver', $inf, '/install')
    switch ($code) {
        0 { }
        3010 { Write-Warning 'pnputil: a reboot is required to finish the installation.' }
        259 { Write-Host 'pnputil: no device was updated (already installed, or a better-ranked driver kept).' }
        default { throw "pnputil /add-driver failed with exit code $code." }
    }
}

# 4. With -Force: onto every e1000, whatever the ranking says.
if ($Force) {
    foreach ($hardwareId in $script:Rse1kHardwareIds) {
        if ($PSCmdlet.ShouldProcess($hardwareId, "UpdateDriverForPlugAndPlayDevices($inf, INSTALLFLAG_FORCE)")) {
            $reboot = Install-Rse1kDriverForced -InfPath $inf -HardwareId $hardwareId
            if ($null -eq $reboot) {
                Write-Verbose "No present device has hardware ID $hardwareId."
            } elseif ($reboot) {
                Write-Warning "Forced install on $hardwareId needs a reboot to finish."
            } else {
                Write-Host "Forced rse1k onto $hardwareId."
            }
        }
    }
}

# 5. Verify: every e1000 present is driven by an rse1k package, started, with an NDIS adapter.
if ($WhatIfPreference) { return }
$devices = @(Get-Rse1kDevice)
if ($devices.Count -eq 0) {
    throw 'No PCI 8086:100E/100F device is present: give the VM an e1000 NIC (QEMU -device e1000, VirtualBox "Intel PRO/1000 MT Desktop", VMware e1000).'
}
$rse1kInfs = @(Get-Rse1kPublishedInf)
Write-Host ("rse1k packages in the driver store: {0}" -f $(if ($rse1kInfs.Count) { $rse1kInfs -join ', ' } else { 'none' }))
$failed = @()
foreach ($device in $devices) {
    $state = Get-Rse1kDeviceState -InstanceId $device.InstanceId
    $ours = $state.DriverInf -and ($rse1kInfs -contains $state.DriverInf)
    Write-Host ("{0}: driver INF {1} ({2}), service {3}, status {4}, problem code {5}, adapter {6}" -f
        $state.InstanceId, $state.DriverInf, $(if ($ours) { 'rse1k' } else { 'not rse1k' }),
        $state.Service, $state.Status, $state.ProblemCode, $(if ($state.Adapter) { $state.Adapter } else { 'none' }))
    if (-not $ours -or $state.Service -ne $script:Rse1kService) {
        $failed += $state
        Write-Host '  Matching drivers, best rank first (lower is better):'
        $matching = Get-Rse1kMatchingDriver -InstanceId $state.InstanceId
        if ($null -eq $matching) {
            Write-Host "  (this pnputil has no /enum-devices /drivers, Windows 11 21H2+: run 'devcon drivernodes `"@$($state.InstanceId)`"' from the WDK)"
        }
        foreach ($driver in @($matching)) {
            $mark = if ($rse1kInfs -contains $driver.PublishedInf) { ' <- rse1k' } else { '' }
            Write-Host ("    {0} {1} ({2}){3}" -f $driver.RankText, $driver.PublishedInf, $driver.OriginalInf, $mark)
        }
    } elseif ($state.Status -ne 'OK' -or -not $state.Adapter) {
        $failed += $state
    }
}
if ($failed.Count -gt 0) {
    $kept = @($failed | Where-Object { $_.Service -ne $script:Rse1kService })
    if ($kept.Count -gt 0 -and -not $Force) {
        throw ('rse1k is in the driver store but {0} e1000 device(s) kept another driver (a better-ranked one, usually the inbox driver: see the ranks above). ' -f $kept.Count +
            'Run again with -Force to install rse1k on them anyway.')
    }
    throw ('{0} e1000 device(s) are not running rse1k (see above). Get-Rse1kStatus.ps1 diagnoses the problem code; setupapi.dev.log has the install log.' -f $failed.Count)
}
Write-Host 'rse1k is installed, bound and started on every e1000.'
