<#
.SYNOPSIS
    Records rse1k's ETW events (TraceLogging provider Rse1k.Miniport) and decodes them to JSON
    lines, the same shape `rse1k-run --events FILE` writes from a simulator run.
.DESCRIPTION
    -Start begins a session writing to a file, with logman, for the provider's GUID (TraceLogging
    providers are enabled by GUID; the GUID is derived from the name). -Stop ends it and decodes
    the file. -Decode reads an .etl with Get-WinEvent (or tracerpt with -UseTracerpt) and writes
    one JSON object per rse1k event: {"provider","event","level","keyword","fields":{...}},
    integers as numbers (hexadecimal and NTSTATUS fields too), booleans and strings as
    themselves. -Compare checks the decoded trace against another JSON-lines file (a simulator
    run) event by event, ignoring the order of keys.
    -ErrorLog lists the System event log entries of source rse1k (NdisWriteErrorLogEntry: a
    failed initialization; docs/debugging.md has the error codes).
    Elevation is needed for -Start and -Stop.
.PARAMETER Start
    Start the session (name -SessionName, file -EtlPath).
.PARAMETER Stop
    Stop the session, then decode the file to -Output.
.PARAMETER Decode
    Decode this .etl to -Output.
.PARAMETER Compare
    After decoding, compare with this JSON-lines file (e.g. from rse1k-run --events).
.PARAMETER ErrorLog
    List the System log entries of source rse1k from the last -Hours.
.PARAMETER Level
    Highest level to record: 2 Error, 3 Warning, 4 Information (default), 5 Verbose (adds OIDs).
.PARAMETER Keywords
    Keyword mask: 0x1 lifecycle, 0x2 OIDs, 0x4 health, 0x8 link (default: all).
.EXAMPLE
    .\Trace-Rse1k.ps1 -Start -Level 5
    # ... disable/enable the adapter, unplug the cable ...
    .\Trace-Rse1k.ps1 -Stop -Output rse1k-events.jsonl
.EXAMPLE
    .\Trace-Rse1k.ps1 -Decode C:\rse1k.etl -Output vm.jsonl -Compare sim.jsonl
#>
[CmdletBinding(DefaultParameterSetName = 'Decode')]
param(
    [Parameter(ParameterSetName = 'Start', Mandatory)]
    [switch]$Start,
    [Parameter(ParameterSetName = 'Stop', Mandatory)]
    [switch]$Stop,
    [Parameter(ParameterSetName = 'Decode', Mandatory)]
    [string]$Decode,
    [Parameter(ParameterSetName = 'ErrorLog', Mandatory)]
    [switch]$ErrorLog,

    [string]$SessionName = 'rse1k',
    [string]$EtlPath = (Join-Path $env:SystemDrive 'rse1k.etl'),
    [string]$Output = 'rse1k-events.jsonl',
    [string]$Compare,
    [switch]$UseTracerpt,
    [ValidateRange(1, 5)]
    [int]$Level = 4,
    [UInt64]$Keywords = [UInt64]::MaxValue,
    [ValidateRange(1, 720)]
    [int]$Hours = 24
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Rse1kCommon.ps1')

# A value as the event XML renders it, as the JSON type the simulator writes.
function ConvertTo-Rse1kValue([string]$Text) {
    if ($Text -match '^0[xX]([0-9A-Fa-f]+)$') { return [UInt64]::Parse($Matches[1], 'AllowHexSpecifier') }
    if ($Text -match '^\d+$') { return [UInt64]::Parse($Text) }
    if ($Text -ieq 'true') { return $true }
    if ($Text -ieq 'false') { return $false }
    return $Text
}

# One rse1k event as the ordered object its JSON line holds.
function New-Rse1kRecord([string]$Name, [int]$EventLevel, [UInt64]$Keyword, $DataNodes) {
    $fields = [ordered]@{}
    foreach ($data in @($DataNodes)) {
        if ($null -ne $data -and $data.Name) { $fields[$data.Name] = ConvertTo-Rse1kValue ([string]$data.InnerText) }
    }
    [pscustomobject][ordered]@{
        provider = $script:Rse1kEtwProviderName
        event    = $Name
        level    = $EventLevel
        keyword  = $Keyword
        fields   = [pscustomobject]$fields
    }
}

# The rse1k events of an .etl, in order: Get-WinEvent's XML (the name from TaskDisplayName,
# which TDH fills with a TraceLogging event's name), or tracerpt's XML (RenderingInfo/Task).
function Read-Rse1kTrace([string]$Path) {
    $guid = [guid]$script:Rse1kEtwProviderId
    if (-not $UseTracerpt) {
        foreach ($e in Get-WinEvent -Path $Path -Oldest) {
            if ($e.ProviderId -ne $guid) { continue }
            $xml = [xml]$e.ToXml()
            $name = $e.TaskDisplayName
            if (-not $name) { throw 'Get-WinEvent gave no event name for a rse1k event; retry with -UseTracerpt' }
            New-Rse1kRecord $name $e.Level ([UInt64]$e.Keywords) $xml.Event.EventData.Data
        }
        return
    }
    $xmlPath = [IO.Path]::ChangeExtension($Path, '.xml')
    & tracerpt.exe $Path -o $xmlPath -of XML -y | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "tracerpt failed: $LASTEXITCODE" }
    $doc = [xml](Get-Content -Raw -Path $xmlPath)
    foreach ($e in $doc.Events.Event) {
        if ([guid]$e.System.Provider.Guid -ne $guid) { continue }
        $keyword = [UInt64]::Parse(($e.System.Keywords -replace '^0[xX]', ''), 'AllowHexSpecifier')
        New-Rse1kRecord $e.RenderingInfo.Task ([int]$e.System.Level) $keyword $e.EventData.Data
    }
}

# A record as one comparable line: the event name and its fields sorted by name.
function Get-Rse1kKey($Record) {
    $fields = @($Record.fields.PSObject.Properties | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" })
    "$($Record.event) $($fields -join ' ')"
}

function Write-Rse1kJsonLines($Records, [string]$Path) {
    $lines = @($Records | ForEach-Object { $_ | ConvertTo-Json -Compress -Depth 4 })
    Set-Content -Path $Path -Value $lines -Encoding utf8
    Write-Host ('{0} rse1k events written to {1}' -f $lines.Count, $Path)
}

function Compare-Rse1kTrace($Records, [string]$Other) {
    $mine = @($Records | ForEach-Object { Get-Rse1kKey $_ })
    $theirs = @(Get-Content -Path $Other | Where-Object { $_.Trim() } | ForEach-Object { Get-Rse1kKey ($_ | ConvertFrom-Json) })
    $diff = @(Compare-Object -ReferenceObject $theirs -DifferenceObject $mine -SyncWindow 0)
    if ($diff.Count -eq 0) {
        Write-Host ('Same {0} events, in the same order, as {1}' -f $mine.Count, $Other)
        return $true
    }
    Write-Host ("The traces differ ('<=' only in {0}, '=>' only in this trace):" -f $Other)
    $diff | ForEach-Object { Write-Host ('  {0} {1}' -f $_.SideIndicator, $_.InputObject) }
    return $false
}

switch ($PSCmdlet.ParameterSetName) {
    'Start' {
        Assert-Rse1kElevated
        $provider = '{' + $script:Rse1kEtwProviderId + '}'
        & logman.exe start $SessionName -p $provider ('0x{0:X}' -f $Keywords) $Level -o $EtlPath -ets
        if ($LASTEXITCODE -ne 0) { throw "logman start failed: $LASTEXITCODE (a session named $SessionName may already run: logman stop $SessionName -ets)" }
        Write-Host "Recording $($script:Rse1kEtwProviderName) {$($script:Rse1kEtwProviderId)} up to level $Level to $EtlPath; stop with -Stop."
    }
    'Stop' {
        Assert-Rse1kElevated
        & logman.exe stop $SessionName -ets
        if ($LASTEXITCODE -ne 0) { throw "logman stop failed: $LASTEXITCODE" }
        $records = @(Read-Rse1kTrace $EtlPath)
        Write-Rse1kJsonLines $records $Output
        if ($Compare -and -not (Compare-Rse1kTrace $records $Compare)) { exit 1 }
    }
    'Decode' {
        $records = @(Read-Rse1kTrace $Decode)
        Write-Rse1kJsonLines $records $Output
        if ($Compare -and -not (Compare-Rse1kTrace $records $Compare)) { exit 1 }
    }
    'ErrorLog' {
        $since = (Get-Date).AddHours(-$Hours)
        $entries = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = $script:Rse1kService; StartTime = $since } -ErrorAction SilentlyContinue)
        if ($entries.Count -eq 0) { Write-Host "No System log entries from $($script:Rse1kService) in the last $Hours hours." }
        foreach ($entry in $entries) {
            # The entry's binary data is the IO_ERROR_LOG_PACKET NDIS built, whose DumpData (the
            # error values) comes last: rse1k's one value, the NDIS_STATUS Initialize returned,
            # is its last four bytes, little-endian.
            Write-Host ("{0}  id {1} (code 0x{2:X8})  {3}" -f $entry.TimeCreated, ($entry.Id -band 0xFFFF), $entry.Id, ($entry.Message -replace '\s+', ' '))
            $binary = ([xml]$entry.ToXml()).Event.EventData.Binary
            if ($binary -and $binary.Length -ge 8) {
                $tail = $binary.Substring($binary.Length - 8)
                $bytes = [byte[]](0..3 | ForEach-Object { [Convert]::ToByte($tail.Substring($_ * 2, 2), 16) })
                Write-Host ("    NDIS_STATUS 0x{0:X8}" -f [BitConverter]::ToUInt32($bytes, 0))
            }
        }
    }
}
