#!/usr/bin/env bash
# The GPU path on a lent CUDA machine (the `device` tool), in one call:
#   bench/gpu_check.sh     (wheels for the vision packages the machine lacks in .whl/, see README)
# Runs the vision tests there (the CUDA ones skip everywhere else) and the throughput bench on the
# GPU and, for reference, on that machine's CPU cores; results land in $OUT (or /tmp/gpu_check).
set -u
out=${OUT:-/tmp/gpu_check}
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
python3 -c "import torch, onnxruntime; print('torch', torch.__version__, 'cuda',
torch.cuda.is_available(), 'onnxruntime', onnxruntime.__version__, 'cpus', torch.get_num_threads())"
# tests/conftest.py and the marketplace test need Django and its database: vision's alone here.
python3 -m pytest tests/vision --confcutdir=tests/vision --ignore=tests/vision/test_vision_marketplace.py \
    -p no:cacheprovider -q -o addopts=-ra 2>&1 | tee "$out/pytest.log" | tail -8
python3 -m vision.tag tests/vision/data/hoodie_pink.jpg --json | cut -c1-300
# 640 px photos (the CPU bench's size) and 12 MP phone photos, whose decoding dominates.
python3 bench/vision_throughput.py --rounds 7 > "$out/throughput_cuda.json"
python3 bench/vision_throughput.py --rounds 5 --image-side 4032 --batch-sizes 32,128 \
    > "$out/throughput_cuda_12mp.json"
CUDA_VISIBLE_DEVICES= python3 bench/vision_throughput.py --rounds 5 > "$out/throughput_cpu.json"
python3 - "$out" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("throughput_*.json")):
    report = json.loads(path.read_text())
    for batch, r in ((k, v) for k, v in report.items() if k.startswith("batch_")):
        print(path.stem, report["backend"], report["image_side"], batch, "raw", r["raw_trunk_img_s"],
              "engine", r["engine_img_s"], "ratio", r["engine_over_raw"])
PY
