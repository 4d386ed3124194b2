# Rse1kCommon.ps1 -- helpers dot-sourced by the rse1k test-machine scripts in this folder.
# Windows PowerShell 5.1 or PowerShell 7; run the scripts from an elevated prompt.

Set-StrictMode -Version Latest

# PCI hardware IDs the INF installs on: QEMU/VirtualBox 82540EM, VMware 82545EM.
$script:Rse1kHardwareIds = @('PCI\VEN_8086&DEV_100E', 'PCI\VEN_8086&DEV_100F')
$script:Rse1kHardwareIdPattern = '^PCI\\VEN_8086&DEV_100[EF]'
$script:Rse1kService = 'rse1k'
# The INF's name in the package; the driver store renames it oemNN.inf and keeps this as the
# package's "original name", the only reliable way to tell rse1k's packages from others for the
# same hardware (an Intel package for 8086:100E, the inbox e1g driver).
$script:Rse1kOriginalInf = 'rse1k.inf'
# The test certificate rust-driver-makefile.toml (windows-drivers-rs) signs the package with.
$script:Rse1kCertificateFile = 'WDRLocalTestCert.cer'
# The driver's ETW provider (TraceLogging, driver/diag): its name and the GUID derived from it.
# tests/diag_etw.rs checks both against the driver's constants.
$script:Rse1kEtwProviderName = 'Rse1k.Miniport'
$script:Rse1kEtwProviderId = 'd66bcbb3-f523-51d7-0345-313c010bcf44'
# The oldest Windows build the driver loads on (ExAllocatePool2; the INF's models decoration).
$script:Rse1kMinimumBuild = 19041

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

# The running Windows build number (19041 = Windows 10 version 2004).
function Get-Rse1kWindowsBuild {
    return [int](Get-CimInstance -ClassName Win32_OperatingSystem).BuildNumber
}

# Throws on a Windows older than the driver's floor: the INF would not match (no driver found),
# and a forced install would fail to load with Code 39 (ExAllocatePool2 is missing).
function Assert-Rse1kWindowsBuild {
    $build = Get-Rse1kWindowsBuild
    if ($build -lt $script:Rse1kMinimumBuild) {
        throw ("This is Windows build $build; rse1k needs build $($script:Rse1kMinimumBuild) " +
            '(Windows 10 version 2004) or later. Update the VM image.')
    }
}

# True when the running boot has test signing on. SystemStartOptions reflects the current boot,
# unlike `bcdedit /enum`, which shows the setting for the next one (and is localised).
function Test-Rse1kTestSigning {
    $options = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name SystemStartOptions).SystemStartOptions
    return ($options -match '\bTESTSIGNING\b')
}

# True when the running boot has kernel debugging on (bcdedit /debug on).
function Test-Rse1kKernelDebug {
    $options = (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name SystemStartOptions).SystemStartOptions
    return ($options -match '\bDEBUG\b')
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
        throw ("Test signing is off in this boot, so a test-signed rse1k.sys cannot load (Code 52).$hint " +
            'Run: bcdedit /set testsigning on ; then reboot and run this script again.')
    }
}

# The e1000 devices present on this machine.
function Get-Rse1kDevice {
    @(Get-PnpDevice -PresentOnly -ErrorAction SilentlyContinue |
        Where-Object { $_.InstanceId -match $script:Rse1kHardwareIdPattern })
}

# One device property's value, or $null.
function Get-Rse1kDeviceProperty {
    param([Parameter(Mandatory)][string]$InstanceId, [Parameter(Mandatory)][string]$KeyName)
    $property = Get-PnpDeviceProperty -InstanceId $InstanceId -KeyName $KeyName -ErrorAction SilentlyContinue
    if ($property -and $property.Type -ne 'Empty') { return $property.Data }
    return $null
}

# The service bound to a device ('rse1k' once installed), or $null.
function Get-Rse1kDeviceService {
    param([Parameter(Mandatory)][string]$InstanceId)
    return Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_Service'
}

# Everything the scripts report about one device: who drives it and whether it started.
function Get-Rse1kDeviceState {
    param([Parameter(Mandatory)][string]$InstanceId)
    $device = Get-PnpDevice -InstanceId $InstanceId -ErrorAction SilentlyContinue
    $adapter = Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.PnPDeviceID -eq $InstanceId }
    [pscustomobject]@{
        InstanceId     = $InstanceId
        Status         = if ($device) { [string]$device.Status } else { 'absent' }
        ProblemCode    = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_ProblemCode'
        ProblemStatus  = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_ProblemStatus'
        Service        = Get-Rse1kDeviceService -InstanceId $InstanceId
        DriverInf      = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_DriverInfPath'
        DriverProvider = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_DriverProvider'
        DriverVersion  = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_DriverVersion'
        DriverRank     = Get-Rse1kDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_DriverRank'
        Adapter        = if ($adapter) { "$($adapter.Name) ($($adapter.Status))" } else { $null }
    }
}

# The blocks of a pnputil listing: one ordered list of [name, value] pairs per blank-line
# separated block. Names are localised; values (oemNN.inf, rse1k.inf, 0x00FF0000) are not, so
# callers match on values where they can.
function ConvertFrom-Rse1kPnputilList {
    param([string[]]$Lines)
    $blocks = New-Object System.Collections.Generic.List[object]
    $current = New-Object System.Collections.Generic.List[object]
    foreach ($line in $Lines) {
        if ($line -match '^\s*$') {
            if ($current.Count -gt 0) { $blocks.Add($current.ToArray()); $current.Clear() }
            continue
        }
        if ($line -match '^\s*([^:]+?)\s*:\s*(.*?)\s*$') {
            $current.Add(@($Matches[1], $Matches[2]))
        }
    }
    if ($current.Count -gt 0) { $blocks.Add($current.ToArray()) }
    return , $blocks.ToArray()
}

# The driver-store names (oemNN.inf) of every rse1k package, selected by original INF name
# (pnputil /enum-drivers) -- never by hardware ID, which other vendors' packages share.
function Get-Rse1kPublishedInf {
    $lines = & pnputil.exe /enum-drivers
    if ($LASTEXITCODE -ne 0) { throw "pnputil /enum-drivers failed with exit code $LASTEXITCODE." }
    foreach ($block in (ConvertFrom-Rse1kPnputilList -Lines $lines)) {
        $values = @($block | ForEach-Object { $_[1] })
        $published = @($values | Where-Object { $_ -match '^oem\d+\.inf$' })
        $isRse1k = @($values | Where-Object { $_ -ieq $script:Rse1kOriginalInf }).Count -gt 0
        if ($isRse1k -and $published.Count -eq 1) { $published[0] }
    }
}

# The drivers that match a device, with their ranks (lower is better), from
# `pnputil /enum-devices /instanceid <id> /drivers` (Windows 11 21H2 and later). On older
# pnputil the flag does not exist: returns $null and the caller says what to run instead.
# The listing is the device's fields, a "Matching Drivers:" heading (a name with no value), then
# one group per driver ending with its rank (0xNNNNNNNN) and status. Names are localised, so a
# driver's group is found by its values: a new group starts after a name with no value, or at
# an .inf once the current group has its rank.
function Get-Rse1kMatchingDriver {
    param([Parameter(Mandatory)][string]$InstanceId)
    $lines = & pnputil.exe /enum-devices /instanceid $InstanceId /drivers 2>&1
    if ($LASTEXITCODE -ne 0) { return $null }
    $groups = New-Object System.Collections.Generic.List[object]
    foreach ($block in (ConvertFrom-Rse1kPnputilList -Lines $lines)) {
        $group = New-Object System.Collections.Generic.List[object]
        foreach ($pair in $block) {
            $value = [string]$pair[1]
            $hasRank = @($group | Where-Object { $_[1] -match '^0x[0-9A-Fa-f]{8}$' }).Count -gt 0
            if ($value -eq '' -or ($value -match '\.inf$' -and $hasRank)) {
                if ($group.Count -gt 0) { $groups.Add($group.ToArray()); $group.Clear() }
                if ($value -eq '') { continue }
            }
            $group.Add($pair)
        }
        if ($group.Count -gt 0) { $groups.Add($group.ToArray()) }
    }
    $drivers = foreach ($group in $groups) {
        $values = @($group | ForEach-Object { [string]$_[1] })
        $rank = @($values | Where-Object { $_ -match '^0x[0-9A-Fa-f]{8}$' })
        $infs = @($values | Where-Object { $_ -match '\.inf$' })
        if ($rank.Count -ge 1 -and $infs.Count -ge 1) {
            [pscustomobject]@{
                PublishedInf = $infs[0]
                OriginalInf  = if ($infs.Count -ge 2) { $infs[1] } else { $infs[0] }
                Rank         = [Convert]::ToUInt32($rank[0], 16)
                RankText     = $rank[0]
                Details      = ($group | ForEach-Object { "$($_[0]): $($_[1])" }) -join '; '
            }
        }
    }
    # The comma keeps an empty list a list: $null means "no /drivers flag".
    return , @($drivers | Sort-Object -Property Rank)
}

# Installs the INF on every device matching HardwareId even when a better-ranked driver (the
# inbox one) is there: UpdateDriverForPlugAndPlayDevices with INSTALLFLAG_FORCE, the API
# `devcon update` uses. Returns $true when a reboot is needed.
# https://learn.microsoft.com/windows/win32/api/newdev/nf-newdev-updatedriverforplugandplaydevicesw
function Install-Rse1kDriverForced {
    param([Parameter(Mandatory)][string]$InfPath, [Parameter(Mandatory)][string]$HardwareId)
    if (-not ('Rse1k.NewDev' -as [type])) {
        Add-Type -Namespace Rse1k -Name NewDev -MemberDefinition @'
[DllImport("newdev.dll", CharSet = CharSet.Unicode, SetLastError = true)]
public static extern bool UpdateDriverForPlugAndPlayDevicesW(
    IntPtr hwndParent, string HardwareId, string FullInfPath, uint InstallFlags, out bool bRebootRequired);
'@
    }
    $INSTALLFLAG_FORCE = 0x1
    $reboot = $false
    $ok = [Rse1k.NewDev]::UpdateDriverForPlugAndPlayDevicesW([IntPtr]::Zero, $HardwareId, $InfPath, $INSTALLFLAG_FORCE, [ref]$reboot)
    if (-not $ok) {
        $code = [Runtime.InteropServices.Marshal]::GetLastWin32Error()
        # ERROR_NO_SUCH_DEVINST (0xE000020B): no present device has this hardware ID.
        if ($code -eq 0xE000020B -or $code -eq -536870389) { return $null }
        throw ('UpdateDriverForPlugAndPlayDevices({0}) failed: 0x{1:X8} {2}' -f $HardwareId, $code, (New-Object ComponentModel.Win32Exception($code)).Message)
    }
    return $reboot
}

# Runs a native tool, echoing the command line, and returns its exit code.
function Invoke-Rse1kTool {
    param([Parameter(Mandatory)][string]$FilePath, [string[]]$ArgumentList = @())
    Write-Verbose ("> {0} {1}" -f $FilePath, ($ArgumentList -join ' '))
    & $FilePath @ArgumentList | Write-Host
    return $LASTEXITCODE
}

# What a device problem code means for rse1k, and what to do. The same table is in
# docs/windows.md, "Troubleshooting". Codes: CM_PROB_* in cfg.h ("Device Manager Error Messages").
$script:Rse1kProblemCauses = @{
    10 = 'Code 10 (CM_PROB_FAILED_START): rse1k loaded but MiniportInitializeEx failed. Read the reason in the trace (WinDbg: lines starting "rse1k: "; ed nt!Kd_IHVNETWORK_Mask 0xF) or in the System event log (source rse1k, written by NdisWriteErrorLogEntry), then check the VM gives the NIC a memory BAR and an interrupt.'
    28 = 'Code 28 (CM_PROB_FAILED_INSTALL): no driver is installed. Run Install-Rse1k.ps1 -Force; setupapi.dev.log (below) says why the last install failed.'
    31 = 'Code 31 (CM_PROB_FAILED_ADD): NDIS could not add the adapter. Usually a driver built for another NDIS version or a corrupt install: rebuild with cargo make and reinstall.'
    37 = 'Code 37 (CM_PROB_FAILED_DRIVER_ENTRY): DriverEntry failed, i.e. NdisMRegisterMiniportDriver refused the characteristics. The trace shows the status.'
    39 = 'Code 39 (CM_PROB_DRIVER_FAILED_LOAD): the kernel could not load rse1k.sys. On Windows older than build 19041 (Windows 10 version 2004) ExAllocatePool2 is missing: update the VM. Otherwise a corrupt or wrong-architecture binary: rebuild and reinstall.'
    52 = 'Code 52 (CM_PROB_UNSIGNED_DRIVER): the signature is not trusted. Test signing must be on in this boot (bcdedit /set testsigning on, reboot), Secure Boot off in the VM firmware, and WDRLocalTestCert in LocalMachine\Root and \TrustedPublisher (Install-Rse1k.ps1 imports it).'
    22 = 'Code 22 (CM_PROB_DISABLED): the device is disabled: pnputil /enable-device <instance id>.'
    18 = 'Code 18 (CM_PROB_REINSTALL): reinstall: Install-Rse1k.ps1 -Force, then reboot.'
    1  = 'Code 1 (CM_PROB_NOT_CONFIGURED): no driver configured: Install-Rse1k.ps1 -Force.'
}

# The diagnosis for one device's state (Get-Rse1kDeviceState) against the rse1k packages present.
function Get-Rse1kDiagnosis {
    param([Parameter(Mandatory)]$State, [string[]]$Rse1kInfs = @())
    $code = $State.ProblemCode
    if ($code -and $code -ne 0) {
        if ($script:Rse1kProblemCauses.ContainsKey([int]$code)) { return $script:Rse1kProblemCauses[[int]$code] }
        return "Code ${code}: see 'Device Manager Error Messages' on learn.microsoft.com; setupapi.dev.log and the System events below."
    }
    if ($State.Service -ne $script:Rse1kService) {
        if ($Rse1kInfs.Count -eq 0) {
            return 'rse1k is not in the driver store: run Install-Rse1k.ps1 -Force.'
        }
        return "Bound to '$($State.Service)' ($($State.DriverInf)), not rse1k: a better-ranked driver (usually the inbox one, Microsoft-signed) was kept. Run Install-Rse1k.ps1 -Force."
    }
    if (-not $State.Adapter) {
        return 'rse1k is bound but NDIS shows no adapter: the device may still be starting, or was halted; see the System events and the trace.'
    }
    return 'OK: rse1k is bound and the adapter is up.'
}
