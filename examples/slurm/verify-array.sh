#!/usr/bin/env bash
# Verify a profile on a Slurm cluster: one array task per shard, then one job that merges and reports.
#
#   srun --cpus-per-task=2 npm ci      # once, on a node of the partition that will train (see below)
#   SHARDS=8
#   ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) examples/slurm/verify-array.sh)
#   sbatch --dependency=afterok:$ARRAY examples/slurm/verify-array.sh report
#
# Environment: PROFILE (paper, small or tiny; default paper), SHARED (a folder every node sees; default
# ./grokcheck-runs), SHARDS (the array's size; default the array's own count), ENGINE (native, tfjs or webgpu;
# default native; on a GPU partition webgpu trains each shard's runs of one shape in lockstep, one process). Each task trains whole run
# families (balanced by the cost model; every task computes the same split) into SHARED/shard-<i>; the report job
# merges them into SHARED/merged (checks every file, refuses conflicts) and writes SHARED/report.
# Install once before submitting, not in the tasks (array tasks sharing one checkout must not run npm ci at once),
# and on a node of the partition: the native engine is compiled for the CPU that builds it (-march=native), so an
# addon built on a newer login node can stop a task with an illegal instruction.
#SBATCH --job-name=grokcheck
#SBATCH --cpus-per-task=2
#SBATCH --time=12:00:00
#SBATCH --output=grokcheck-%A_%a.log
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/../..}"
PROFILE=${PROFILE:-paper}
ENGINE=${ENGINE:-native}
SHARED=${SHARED:-$PWD/grokcheck-runs}
mkdir -p "$SHARED"
[ -d node_modules ] || { echo "grokcheck: run 'npm ci' in $PWD once before submitting (see the top of $0)" >&2; exit 2; }

if [ "${1:-}" = report ]; then
  node bin/grokcheck.js merge "$SHARED/merged" "$SHARED"/shard-*
  node bin/grokcheck.js verify --profile "$PROFILE" --runs "$SHARED/merged" --report-dir "$SHARED/report" --quiet
  exit
fi

: "${SLURM_ARRAY_TASK_ID:?run me as an array job (sbatch --array=0-N), or with the argument 'report'}"
SHARDS=${SHARDS:-${SLURM_ARRAY_TASK_COUNT}}
# The CPU engines train in one process per core; webgpu in one process of lockstep groups.
JOBS=$([ "$ENGINE" = webgpu ] && echo 1 || echo "${SLURM_CPUS_PER_TASK:-2}")
node bin/grokcheck.js verify --profile "$PROFILE" --engine "$ENGINE" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --runs "$SHARED/shard-$SLURM_ARRAY_TASK_ID" \
  --jobs "$JOBS" --quiet
