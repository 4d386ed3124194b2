<#
.SYNOPSIS
    Diagnoses rse1k on this machine: what Windows and the boot allow, which driver each e1000 has
    and why, the matching drivers and their ranks, the install log, recent System events and
    Driver Verifier's settings -- each problem mapped to its usual cause and remedy.
.DESCRIPTION
    Read-only; safe to run repeatedly. Elevation is needed for the verifier and some log output
    only. The cause table is the one in docs/windows.md, "Troubleshooting".
.PARAMETER Hours
    How far back to read the System event log (default 24).
.PARAMETER SetupLogSections
    How many of the last rse1k sections of setupapi.dev.log to show (default 2).
.EXAMPLE
    .\Get-Rse1kStatus.ps1
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 720)]
    [int]$Hours = 24,

    [ValidateRange(0, 20)]
    [int]$SetupLogSections = 2
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')

$findings = New-Object System.Collections.Generic.List[string]

Write-Host '== Machine'
$build = Get-Rse1kWindowsBuild
Write-Host ("Windows build {0} (rse1k needs {1} or later)" -f $build, $script:Rse1kMinimumBuild)
if ($build -lt $script:Rse1kMinimumBuild) {
    $findings.Add("Windows build $build is older than $($script:Rse1kMinimumBuild): the INF does not match and a forced install fails with Code 39. Use Windows 10 version 2004 or later.")
}
$testSigning = Test-Rse1kTestSigning
$secureBoot = Test-Rse1kSecureBoot
Write-Host ("Test signing in this boot: {0}; Secure Boot: {1}; kernel debugging in this boot: {2}" -f $testSigning, $secureBoot, (Test-Rse1kKernelDebug))
if (-not $testSigning) {
    $findings.Add('Test signing is off: a test-signed rse1k.sys is refused (Code 52). bcdedit /set testsigning on, then reboot' + $(if ($secureBoot) { ' (turn Secure Boot off in the VM firmware first).' } else { '.' }))
}

Write-Host '== Driver store'
$rse1kInfs = @(Get-Rse1kPublishedInf)
Write-Host ("rse1k packages (original name {0}): {1}" -f $script:Rse1kOriginalInf, $(if ($rse1kInfs.Count) { $rse1kInfs -join ', ' } else { 'none' }))

Write-Host '== Devices'
$devices = @(Get-Rse1kDevice)
if ($devices.Count -eq 0) {
    $findings.Add('No PCI 8086:100E/100F device is present: give the VM an e1000 NIC (QEMU -device e1000, VirtualBox "Intel PRO/1000 MT Desktop", VMware e1000).')
}
foreach ($device in $devices) {
    $state = Get-Rse1kDeviceState -InstanceId $device.InstanceId
    $state | Format-List | Out-Host
    $diagnosis = Get-Rse1kDiagnosis -State $state -Rse1kInfs $rse1kInfs
    Write-Host "Diagnosis: $diagnosis"
    if ($diagnosis -notlike 'OK:*') { $findings.Add("$($state.InstanceId): $diagnosis") }
    Write-Host 'Matching drivers, best rank first (lower is better; the signature decides first, so a Microsoft-signed inbox driver beats a test-signed one):'
    $matching = Get-Rse1kMatchingDriver -InstanceId $state.InstanceId
    if ($null -eq $matching) {
        Write-Host "  (this pnputil has no /enum-devices /drivers, Windows 11 21H2+: run 'devcon drivernodes `"@$($state.InstanceId)`"' from the WDK's Tools folder)"
    }
    foreach ($driver in @($matching)) {
        $mark = if ($rse1kInfs -contains $driver.PublishedInf) { ' <- rse1k' } elseif ($driver.PublishedInf -eq $state.DriverInf) { ' <- installed' } else { '' }
        Write-Host ("  {0} {1} ({2}){3}" -f $driver.RankText, $driver.PublishedInf, $driver.OriginalInf, $mark)
    }
}

Write-Host '== setupapi.dev.log (rse1k sections)'
$setupLog = Join-Path $env:windir 'INF\setupapi.dev.log'
if ($SetupLogSections -gt 0 -and (Test-Path -LiteralPath $setupLog)) {
    # A section runs from a '>>>  [' line to its '<<<  [' line; keep those that mention rse1k or
    # an e1000 hardware ID, and show the last few.
    $sections = New-Object System.Collections.Generic.List[string]
    $current = $null
    foreach ($line in [IO.File]::ReadLines($setupLog)) {
        if ($line.StartsWith('>>>  [')) { $current = New-Object Text.StringBuilder }
        if ($null -ne $current) {
            [void]$current.AppendLine($line)
            if ($line.StartsWith('<<<  [')) {
                $text = $current.ToString()
                if ($text -match 'rse1k|VEN_8086&DEV_100[EF]') { $sections.Add($text) }
                $current = $null
            }
        }
    }
    $sections | Select-Object -Last $SetupLogSections | ForEach-Object { Write-Host $_ }
    if ($sections.Count -eq 0) { Write-Host 'No section mentions rse1k or an e1000.' }
} else {
    Write-Host "Not shown ($setupLog absent or -SetupLogSections 0)."
}

Write-Host ("== System events of the last {0} h (rse1k, PnP, service control)" -f $Hours)
$since = (Get-Date).AddHours(-$Hours)
$events = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; StartTime = $since } -ErrorAction SilentlyContinue |
    Where-Object { $_.ProviderName -eq 'rse1k' -or $_.Message -match 'rse1k|VEN_8086&DEV_100[EF]' } |
    Select-Object -First 20)
foreach ($event in $events) {
    Write-Host ("{0:u} {1} id {2} {3}: {4}" -f $event.TimeCreated, $event.ProviderName, $event.Id, $event.LevelDisplayName, ($event.Message -replace '\s+', ' '))
    if ($event.ProviderName -eq 'rse1k' -and $event.Level -le 2) {
        $findings.Add("rse1k logged an error at $($event.TimeCreated): $($event.Message -replace '\s+', ' ')")
    }
}
if ($events.Count -eq 0) { Write-Host 'None.' }

Write-Host '== Driver Verifier'
if (Test-Rse1kElevated) {
    Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/querysettings') | Out-Null
    Invoke-Rse1kTool -FilePath 'verifier.exe' -ArgumentList @('/query') | Out-Null
} else {
    Write-Warning 'Not elevated: Driver Verifier state not shown.'
}

Write-Host '== Summary'
if ($findings.Count -eq 0) {
    Write-Host 'No problem found.'
} else {
    $findings | ForEach-Object { Write-Host "- $_" }
}
