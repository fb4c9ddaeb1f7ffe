# Windows PowerShell wrapper of `krx daily pc` (the same flow as deploy/pc/daily.sh).
# Usage (from the repository root):  powershell -ExecutionPolicy Bypass -File deploy\pc\daily.ps1
# Environment: KRX_VENV (default .venv), KRX_REMOTE, KRX_BRANCH, KRX_PUSH=0, KRX_ASOF.
# Exit codes: 0 done, 2 blocked (an invalid PC artifact: nothing committed), 3 fault.
$ErrorActionPreference = "Stop"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = "1"; $env:DVC_NO_ANALYTICS = "1"; $env:TZ = "Asia/Seoul"

Set-Location (Join-Path $PSScriptRoot "..\..")
$venv = if ($env:KRX_VENV) { $env:KRX_VENV } else { ".venv" }
$python = Join-Path $venv "Scripts\python.exe"
if (-not (Test-Path $python)) {
  Write-Output "daily.ps1: FAULT: no virtualenv at $venv (set KRX_VENV)"; exit 3
}
$env:PATH = (Resolve-Path (Join-Path $venv "Scripts")).Path + ";" + $env:PATH

& $python -m pipeline.cli daily pc
$code = $LASTEXITCODE
if ($code -in 0, 2, 3) { exit $code }
Write-Output "daily.ps1: FAULT: krx daily pc exited $code"
exit 3
