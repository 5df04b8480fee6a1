#!/usr/bin/env bash
# Usage: bash scripts/ci/first-use.sh
#
# A new user's first calls of the CLI (issue 31), from a fresh clone of this checkout's HEAD after `npm ci`:
#   1. the first `npx grokcheck --help` and the documented form (`node bin/grokcheck.js --help`), each killed
#      after 20 s if it has not answered (npm 11's npx installs the project into its cache and runs its install
#      and prepare scripts again: they must be no-ops on a built checkout);
#   2. a build interrupted on purpose: a native source and a CLI source edited, the launcher killed (SIGKILL,
#      leaving its build lock behind) while it rebuilds;
#   3. two first calls at once (npx and the documented form) on that stale checkout: both must answer;
#   4. a further call of each must answer in under 10 s, and the native addon must load and replay a fixture.
# Ends with a line 'first-use: N passed, N failed'; exit 1 when any check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() { if "$@"; then passed=$((passed + 1)); echo "first-use: ok: ${label}"; else failed=$((failed + 1)); echo "first-use: FAILED: ${label}"; fi; }
answers() { grep -q '^Usage: node bin/grokcheck.js <command>' "$1"; }

git clone -q "$here" "$work/clone" && cd "$work/clone" || exit 1
[ -d "$here/../shared" ] && ln -s "$here/../shared" "$work/shared"
echo "first-use: npm $(npm --version), node $(node --version), in $work/clone"
start=$SECONDS
npm ci --no-audit --no-fund > "$work/ci.log" 2>&1 || { tail -30 "$work/ci.log"; echo "first-use: 0 passed, 1 failed"; exit 1; }
echo "first-use: npm ci took $((SECONDS - start)) s"
label="npm ci prints no install-script warning"; check bash -c "! grep -q 'not yet covered by allowScripts' '$work/ci.log'"

# 1. First calls, each killed after 20 s.
for form in "npx grokcheck" "node bin/grokcheck.js"; do
  start=$SECONDS
  timeout 20 $form --help > "$work/out" 2>&1
  label="first '$form --help' answers ($((SECONDS - start)) s)"; check answers "$work/out"
done

# 2. Sources edited, and the rebuild they cause killed halfway.
echo '// edited by first-use.sh' >> native/fourier.cc
echo '// edited by first-use.sh' >> src/cli.ts
timeout -s KILL 8 node bin/grokcheck.js --help > "$work/out" 2>&1
label="the launcher saw the edit and started a rebuild"; check grep -q 'rebuilding' "$work/out"
git checkout -q native/fourier.cc src/cli.ts

# 3. Two first calls at once on the half-rebuilt checkout.
npx grokcheck --help > "$work/a" 2>&1 & a=$!
node bin/grokcheck.js --help > "$work/b" 2>&1 & b=$!
wait $a; wait $b
sed 's/^/  npx: /' "$work/a" | grep -v -e '^  npx: Usage' -e '^  npx: *$' | head -5
sed 's/^/  node: /' "$work/b" | grep -v -e '^  node: Usage' -e '^  node: *$' | head -5
label="concurrent 'npx grokcheck --help' answers"; check answers "$work/a"
label="concurrent 'node bin/grokcheck.js --help' answers"; check answers "$work/b"
label="one of them rebuilt, the other one waited or found it done"; check grep -q 'compiling' "$work/a" "$work/b"

# 4. Further calls: fast, and the addon works.
for form in "npx grokcheck" "node bin/grokcheck.js"; do
  start=$(date +%s.%N)
  timeout 60 $form --help > "$work/out" 2>&1
  took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  label="a further '$form --help' answers in under 10 s (${took} s)"; check bash -c "awk -v t=$took 'BEGIN {exit !(t < 10)}' && grep -q '^Usage: node bin/grokcheck.js <command>' '$work/out'"
done
label="nothing is left stale (node scripts/build.mjs --check)"; check node scripts/build.mjs --check
fixture="$work/shared/fixtures/reference/add11-1l-standard.json"
if [ -f "$fixture" ]; then
  label="the native addon loads and replays a PyTorch fixture"; check node bin/grokcheck.js replay "$fixture" --engine native
else
  label="the native addon loads"; check node -e "require('./build/Release/grokcheck_native.node')"
fi
echo "first-use: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
