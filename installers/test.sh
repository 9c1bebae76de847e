#!/usr/bin/env bash
# Set up (or refresh) the dev environment and run the whole test suite:
#
#   bash installers/test.sh [pytest arguments...]
#
# = bash installers/install.sh --dev && .venv/bin/python -m pytest, with Qt offscreen so that the GUI
# tests need no display, in STUDIO_TEST_WORKERS processes (default: 2; each test module stays in one process, so
# its fixtures are made once; tests/conftest.py shares the cores between them). Extra arguments go to pytest
# (e.g. -q, -k chat, tests/core).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash installers/install.sh --dev
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec .venv/bin/python -m pytest -n "${STUDIO_TEST_WORKERS:-2}" --dist loadfile "$@"
