# Windows PowerShell equivalent of deploy/pc/daily.sh (same steps, same exit codes).
# Usage (from the repository root):  powershell -ExecutionPolicy Bypass -File deploy\pc\daily.ps1
# Environment: KRX_REMOTE, KRX_BRANCH, KRX_VENV, KRX_PUSH=0, KRX_ASOF (as daily.sh).
$ErrorActionPreference = "Stop"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = "1"; $env:DVC_NO_ANALYTICS = "1"; $env:TZ = "Asia/Seoul"

Set-Location (Join-Path $PSScriptRoot "..\..")
$venv = if ($env:KRX_VENV) { $env:KRX_VENV } else { ".venv" }
$env:PATH = (Resolve-Path (Join-Path $venv "Scripts")).Path + ";" + $env:PATH
$remote = if ($env:KRX_REMOTE) { $env:KRX_REMOTE } else { "origin" }
$branch = if ($env:KRX_BRANCH) { $env:KRX_BRANCH } else { (git rev-parse --abbrev-ref HEAD) }
function Log($msg) { Write-Output ("{0} daily.ps1: {1}" -f (Get-Date -Format "yyyy-MM-ddTHH:mm:ssK"), $msg) }
function Fault($msg) { Log "FAULT: $msg"; exit 3 }

$lockPath = Join-Path (git rev-parse --git-dir) "krx-daily.lock"
try { $lock = [System.IO.File]::Open($lockPath, 'OpenOrCreate', 'ReadWrite', 'None') }
catch { Fault "another daily run holds $lockPath" }

$hasRemote = $null -ne (git remote get-url $remote 2>$null)
if ($hasRemote) {
  Log "pull $remote/$branch"
  git pull --rebase --autostash -q $remote $branch; if ($LASTEXITCODE) { Fault "git pull failed" }
}
Log "dvc repro"
dvc repro; if ($LASTEXITCODE) { Fault "dvc repro failed" }
Log "validate"
python -m pipeline.cli validate --all -q
if ($LASTEXITCODE) { Log "INVALID artifacts: nothing committed"; exit 1 }
$committed = python -m pipeline.cli commit --owner PC --produced
if ($LASTEXITCODE) { Fault "git commit failed" }
Log "commit: $committed"
if ($hasRemote -and $env:KRX_PUSH -ne "0") {
  foreach ($attempt in 1..5) {
    git push -q $remote "HEAD:$branch"
    if (-not $LASTEXITCODE) { Log "pushed to $remote/$branch"; exit 0 }
    Log "push rejected (attempt $attempt): pull --rebase and retry"
    git pull --rebase -q $remote $branch; if ($LASTEXITCODE) { Fault "git pull --rebase failed" }
    Start-Sleep -Seconds $attempt
  }
  Fault "push failed after 5 attempts"
}
exit 0
