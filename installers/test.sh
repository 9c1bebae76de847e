#!/usr/bin/env bash
# Set up (or refresh) the dev environment and run the whole test suite:
#
#   bash installers/test.sh [pytest arguments...]
#
# = bash installers/install.sh --dev && .venv/bin/python -m pytest, with Qt offscreen so that the GUI
# tests need no display, in STUDIO_TEST_WORKERS processes (default: 2; each test module stays in one process, so
# its fixtures are made once; tests/conftest.py shares the cores between them). Extra arguments go to pytest
# (e.g. -q, -k chat, tests/core). The fast lane, no model loaded or trained: -m "not model and not e2e".
#
# Then the second precision lane: the tests marked `precision_lane` (training, methods, stages, exports and their
# parity checks on the tiny model) that load a model (`model`), again, with FINETUNE_STUDIO_PRECISION forcing the
# precision `auto` would not pick here (app.core.hardware.auto_precision, which also honours a oneDNN cap such as
# ONEDNN_MAX_CPU_ISA=AVX2): fp32 where auto trains bf16 (AVX512-BF16 or AMX), bf16 (slower) where it does not. So
# every run of this script checks both precisions users' hardware trains in. An -m given to this script narrows the
# lane too (pytest keeps only the last -m, so the two are joined). STUDIO_PRECISION_LANE=0 skips it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash installers/install.sh --dev
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
PYTEST=(.venv/bin/python -m pytest -n "${STUDIO_TEST_WORKERS:-2}" --dist loadfile)
status=0
"${PYTEST[@]}" "$@" || status=$?
if [ "${STUDIO_PRECISION_LANE:-1}" != 0 ] && [ -z "${FINETUNE_STUDIO_PRECISION:-}" ]; then
    auto=$(.venv/bin/python -c "from app.core.hardware import auto_precision, detect_device as d; print(auto_precision(d()))")
    if [ "$auto" = bf16 ]; then other=fp32; else other=bf16; fi
    lane_mark="precision_lane and model" rest=()
    while [ $# -gt 0 ]; do
        case "$1" in
            -m) lane_mark="$lane_mark and (${2:-})"; shift 2 || shift ;;
            -m*) lane_mark="$lane_mark and (${1#-m})"; shift ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    echo "==> the $other lane (FINETUNE_STUDIO_PRECISION=$other): -m \"$lane_mark\""
    lane=0
    FINETUNE_STUDIO_PRECISION="$other" "${PYTEST[@]}" -m "$lane_mark" ${rest[@]+"${rest[@]}"} || lane=$?
    [ "$lane" = 5 ] && lane=0  # the arguments selected none of the lane's tests
    [ "$status" = 0 ] && status=$lane
fi
exit "$status"
