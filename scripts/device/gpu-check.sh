#!/usr/bin/env bash
# Usage: bash scripts/device/gpu-check.sh [BUDGET_S]     (on the GPU machine, in the repo root, .device/ carried)
#
# Issue 13's GPU checks in one command, for a machine with a GPU and nothing else (no Node, no registry): unpacks
# what scripts/device/pack.sh packed, then, each step's output in $OUT (default /tmp/gpu-check):
#   adapter.json   grokcheck webgpu --json: which adapter, and the engine's matmul kernel checked on it
#   replay.jsonl   every PyTorch fixture replayed on --engine webgpu and on --engine tfjs --backend webgpu
#   vitest.txt     every test file that uses the WebGPU adapter (webGpuForTests), GROKCHECK_REQUIRE_WEBGPU=1
#   bench.json     grokcheck bench --engine webgpu --json: ms per lockstep step and run-steps/s at R = 1, 8, 32,
#                  64, one checkpoint, against the native engine in the same call (on this machine's CPU)
#   plan.json      verify --profile paper --engine webgpu --plan --json: the cost model's estimate of the whole
#                  paper profile on this GPU (shapes timed in lockstep groups here; an estimate, not a run)
#   train.txt      the paper profile trained on --engine webgpu for what is left of BUDGET_S
#   runs.json      grokcheck runs --json on that store: how many runs completed, their steps and wall times (a
#                  measured rate on part of the profile, not the whole profile)
#   log.txt        what ran, when, each step's exit code and its stderr
# A step that fails is logged and the next one runs; no Node or no adapter ends the check at once. BUDGET_S
# (default 420) bounds the whole check; the training step gets what the others left, less a margin.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUDGET_S=${1:-420}
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }
log() { echo "[$(elapsed) s] $*" | tee -a "$OUT/log.txt"; }
step() { # step NAME OUTFILE TIMEOUT_S COMMAND...: runs it, its stdout into OUTFILE, its stderr into the log, and logs its exit code
  local name=$1 file=$2 limit=$3; shift 3
  log "$name: $*"
  timeout --signal=TERM --kill-after=15 "$limit" "$@" >> "$OUT/$file" 2>> "$OUT/log.txt"
  local rc=$?
  log "$name: exit $rc$([ $rc -eq 124 ] && echo " (stopped at its ${limit} s limit)")"
  return $rc
}

# Unpack: the GL and Vulkan loaders into / (as the device README says), Node, the app, the fixtures.
for f in .device/gl/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p .device/bin
xz -dc .device/node.xz > .device/bin/node && chmod +x .device/bin/node
export PATH="$PWD/.device/bin:$PATH"
# The packed copy has no compiler and no sources of its own build: run dist/ and the addon as packed (bin/grokcheck.js).
export GROKCHECK_SKIP_BUILD_CHECK=1
xz -dc .device/app.tar.xz | tar -xf -
mkdir -p ../shared && xz -dc .device/reference.tar.xz | tar -xf - -C ..
node --version > /dev/null 2>&1 || { log "fatal: node does not run here: $(node --version 2>&1 | head -3)"; exit 1; }
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$nvidia_icd" ] && export VK_DRIVER_FILES=$nvidia_icd
log "unpacked: node $(node --version) at $(command -v node); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}; $(nvidia-smi -L 2>/dev/null | head -1)"

step adapter adapter.json 60 node bin/grokcheck.js webgpu --json || { log "fatal: no working WebGPU adapter (adapter.json)"; exit 1; }

for fixture in ../shared/fixtures/reference/*.json; do
  step "replay $(basename "$fixture") webgpu" replay.jsonl 120 node bin/grokcheck.js replay "$fixture" --engine webgpu --json
  step "replay $(basename "$fixture") tfjs/webgpu" replay.jsonl 180 node bin/grokcheck.js replay "$fixture" --engine tfjs --backend webgpu --json
done

mapfile -t gpu_tests < <(grep -rl webGpuForTests src --include='*.test.ts' | sort)
GROKCHECK_REQUIRE_WEBGPU=1 step "vitest (${#gpu_tests[@]} files)" vitest.txt 300 node node_modules/vitest/vitest.mjs run "${gpu_tests[@]}"

step bench bench.json 240 node bin/grokcheck.js bench --engine webgpu --json ${GPU_CHECK_BENCH_ARGS:-}

store=/tmp/gpu-check-store
step plan plan.json 180 node bin/grokcheck.js verify --profile paper --engine webgpu --runs "$store" --plan --json

left=$((BUDGET_S - $(elapsed) - 30))
if [ "$left" -gt 30 ]; then
  step "train (${left} s)" train.txt "$left" node bin/grokcheck.js verify --profile paper --engine webgpu --runs "$store" --train-only --quiet
  step runs runs.json 60 node bin/grokcheck.js runs --runs "$store" --json
else
  log "train: skipped, ${left} s left of the budget"
fi
log "done"
