# Rse1kCommon.ps1 -- helpers dot-sourced by the rse1k test-machine scripts in this folder.
# Windows PowerShell 5.1 or PowerShell 7; run the scripts from an elevated prompt.

Set-StrictMode -Version Latest

# PCI hardware IDs the INF installs on: QEMU/VirtualBox 82540EM, VMware 82545EM.
$script:Rse1kHardwareIdPattern = '^PCI\\VEN_8086&DEV_100[EF]'
$script:Rse1kService = 'rse1k'
# The test certificate rust-driver-makefile.toml (windows-drivers-rs) signs the package with.
$script:Rse1kCertificateFile = 'WDRLocalTestCert.cer'

function Test-Rse1kElevated {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

# Throws unless elevated. -WhatIf runs are allowed unelevated: they change nothing.
function Assert-Rse1kElevated {
    param([switch]$WhatIfRun)
    if (-not (Test-Rse1kElevated) -and -not $WhatIfRun) {
        throw 'This script changes machine-wide settings: run it from an elevated PowerShell (Run as administrator).'
    }
}

# True when the running boot has test signing on. SystemStartOptions reflects the current boot,
# unlike `bcdedit /enum`, which shows the setting for the next one (and is localised).
function Test-Rse1kTestSigning {
    $options = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name SystemStartOptions).SystemStartOptions
    return ($options -match '\bTESTSIGNING\b')
}

# True, false, or $null when the firmware is not UEFI (Secure Boot cannot be on).
function Test-Rse1kSecureBoot {
    try {
        return [bool](Confirm-SecureBootUEFI -ErrorAction Stop)
    } catch {
        return $null
    }
}

function Assert-Rse1kTestSigning {
    if (-not (Test-Rse1kTestSigning)) {
        $secureBoot = Test-Rse1kSecureBoot
        $hint = if ($secureBoot) { ' Secure Boot is ON: turn it off in the VM firmware settings first.' } else { '' }
        throw ("Test signing is off in this boot, so a test-signed rse1k.sys cannot load.$hint " +
            'Run: bcdedit /set testsigning on ; then reboot and run this script again.')
    }
}

# The e1000 devices present on this machine.
function Get-Rse1kDevice {
    Get-PnpDevice -PresentOnly -ErrorAction SilentlyContinue |
        Where-Object { $_.InstanceId -match $script:Rse1kHardwareIdPattern }
}

# The service bound to a device ('rse1k' once installed), or $null.
function Get-Rse1kDeviceService {
    param([Parameter(Mandatory)][string]$InstanceId)
    $property = Get-PnpDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_Service' -ErrorAction SilentlyContinue
    if ($property) { return $property.Data }
    return $null
}

# The driver-store INF names (oemNN.inf) of every rse1k package, from the PnP driver list.
function Get-Rse1kDriverStoreInf {
    Get-CimInstance -ClassName Win32_PnPSignedDriver -ErrorAction SilentlyContinue |
        Where-Object { $_.DeviceID -match $script:Rse1kHardwareIdPattern -and $_.InfName -like 'oem*.inf' } |
        Select-Object -ExpandProperty InfName -Unique
}

# Runs a native tool, echoing the command line, and returns its exit code.
function Invoke-Rse1kTool {
    param([Parameter(Mandatory)][string]$FilePath, [string[]]$ArgumentList = @())
    Write-Verbose ("> {0} {1}" -f $FilePath, ($ArgumentList -join ' '))
    & $FilePath @ArgumentList | Write-Host
    return $LASTEXITCODE
}
