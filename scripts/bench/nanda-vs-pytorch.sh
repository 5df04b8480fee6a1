#!/usr/bin/env bash
# One full-batch training step of Nanda et al.'s model (p = 113, 3830 pairs, float64 loss): grokcheck's native
# engine (`grokcheck bench`, train_step_ms.p113_nanda_full) against PyTorch (scripts/bench/pytorch_nanda_step.py)
# on the same machine in the same run: PyTorch, then grokcheck, then PyTorch again, so that load that comes and
# goes shows as a spread between the two PyTorch figures. Needs a python3 with torch (Debian: apt-get install
# python3-torch libopenblas0-pthread; the generic reference BLAS is ~6x slower than OpenBLAS here).
# Usage: bash scripts/bench/nanda-vs-pytorch.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${1:-2}"
python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then python="$candidate"; break; fi
done
[ -n "$python" ] || { echo "no python3 with torch: apt-get install python3-torch libopenblas0-pthread" >&2; exit 2; }
torch_ms() { "$python" scripts/bench/pytorch_nanda_step.py --threads "$threads" --steps 20 | "$python" -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])'; }
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
before=$(torch_ms)
ours=$(node bin/grokcheck.js bench --json --threads "$threads" | "$python" -c 'import json,sys; d=json.load(sys.stdin); print(d["train_step_ms"]["p113_nanda_full"], "|", d["engine"])')
after=$(torch_ms)
"$python" - "$before" "$after" "$ours" "$blas" <<'PY'
import sys
before, after = float(sys.argv[1]), float(sys.argv[2])
ours, engine = sys.argv[3].split(' | ', 1)
ours = float(ours)
print(f"PyTorch ({sys.argv[4]}): {before:.1f} ms before, {after:.1f} ms after")
print(f"grokcheck {engine}: {ours:.1f} ms")
print(f"speed-up: {min(before, after) / ours:.2f}x to {max(before, after) / ours:.2f}x (target >= 2x)")
PY
