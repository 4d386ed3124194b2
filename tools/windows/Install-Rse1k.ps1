<#
.SYNOPSIS
    Installs the test-signed rse1k package on a test machine and verifies the e1000 adapter is bound to it.
.DESCRIPTION
    Idempotent: the test certificate is imported only if missing; pnputil adds the package to the
    driver store (a no-op when the same package is there) and installs it on matching devices.
    Requires an elevated prompt and a boot with test signing on (bcdedit /set testsigning on, Secure
    Boot off, reboot).
.PARAMETER PackagePath
    The folder `cargo make` produced: target\<profile>\rse1k_package (rse1k.inf, rse1k.sys,
    rse1k.cat, rse1k.pdb, WDRLocalTestCert.cer).
.EXAMPLE
    .\Install-Rse1k.ps1 -PackagePath C:\rse1k\target\debug\rse1k_package
.EXAMPLE
    .\Install-Rse1k.ps1 -PackagePath .\rse1k_package -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter()]
    [string]$PackagePath = (Join-Path $PSScriptRoot '..\..\target\debug\rse1k_package')
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')

Assert-Rse1kElevated -WhatIfRun:$WhatIfPreference
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

# 3. Add to the driver store and install on matching devices.
$inf = Join-Path $PackagePath 'rse1k.inf'
if ($PSCmdlet.ShouldProcess($inf, 'pnputil /add-driver /install')) {
    $code = Invoke-Rse1kTool -FilePath 'pnputil.exe' -ArgumentList @('/add-driver', $inf, '/install')
    switch ($code) {
        0 { }
        3010 { Write-Warning 'pnputil: a reboot is required to finish the installation.' }
        259 { Write-Host 'pnputil: no device needed updating (the package is already installed).' }
        default { throw "pnputil /add-driver failed with exit code $code." }
    }
}

# 4. Verify: every e1000 device present is bound to the rse1k service and started.
if ($WhatIfPreference) { return }
$devices = @(Get-Rse1kDevice)
if ($devices.Count -eq 0) {
    throw 'No PCI 8086:100E/100F device is present: give the VM an e1000 NIC (QEMU -device e1000, VirtualBox "Intel PRO/1000 MT Desktop", VMware e1000).'
}
$failed = $false
foreach ($device in $devices) {
    $service = Get-Rse1kDeviceService -InstanceId $device.InstanceId
    $adapter = Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.PnPDeviceID -eq $device.InstanceId }
    $adapterStatus = if ($adapter) { $adapter.Status } else { 'no NDIS adapter' }
    Write-Host ("{0}: service={1} device status={2} adapter={3}" -f $device.InstanceId, $service, $device.Status, $adapterStatus)
    if ($service -ne $script:Rse1kService -or $device.Status -ne 'OK' -or -not $adapter) {
        $failed = $true
    }
}
if ($failed) {
    throw 'At least one e1000 device is not running rse1k (see above; Device Manager shows the problem code; setupapi.dev.log has the install log).'
}
Write-Host 'rse1k is installed and bound.'
