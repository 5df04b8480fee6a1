#!/usr/bin/env bash
# Usage: bash scripts/device/pack.sh
#
# Packs what the GPU check (scripts/device/gpu-check.sh) needs on a machine that has a GPU but no Node, no npm
# registry and no internet (the lent device machines of issue 13), into .device/ (git-ignored):
#   node.xz        this machine's node binary, stripped (Node is not installed there)
#   app.tar.xz     dist/, the native addon, the production node_modules (webgpu's linux-x64 dawn.node only,
#                  tfjs's Node bundles only) and vitest with what it needs, to run the WebGPU test files there
#   reference.tar.xz  ../shared/fixtures/reference (the PyTorch fixtures; ../shared does not travel)
#   gl/*.deb       the Vulkan loader and GL dispatch libraries (dawn.node needs libvulkan.so.1; the NVIDIA
#                  Vulkan driver needs libGLdispatch), downloaded from Debian's archive, unpacked there
# and checks that the working tree plus .device/ fit the 64 MiB that travels. Needs `npm ci` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
LIMIT_BYTES=$((64 * 1024 * 1024))
pack=.device
[ -d dist ] && ls build/Release/*.node > /dev/null 2>&1 || { echo "pack: run npm ci first (dist/ and build/Release/ are missing)" >&2; exit 1; }
[ -d ../shared/fixtures/reference ] || { echo "pack: ../shared/fixtures/reference is missing" >&2; exit 1; }
mkdir -p "$pack/gl"

# Node: reused while the binary is the same one (stripping and xz -9 take about a minute).
node_bin=$(command -v node)
node_id="$(node --version) $(sha256sum "$node_bin" | cut -c1-16)"
if [ "$(cat "$pack/node.id" 2>/dev/null)" != "$node_id" ]; then
  tmp=$(mktemp)
  cp "$node_bin" "$tmp" && strip "$tmp"
  xz -T0 -9 -c "$tmp" > "$pack/node.xz"
  rm -f "$tmp"
  echo "$node_id" > "$pack/node.id"
fi

# node_modules: the production tree and vitest's, as npm resolved them (no optional package of another platform),
# less what the tests never load: the compiler, type declarations and vite's CSS transformer (lightningcss).
list() { npm ls --all --parseable "$@" 2>/dev/null | sed "s|^$PWD/||" | grep '^node_modules/' | sort -u; }
prod=$(list --omit=dev)
dev=$(comm -23 <(list) <(echo "$prod") | grep -v -e '^node_modules/typescript' -e '^node_modules/@types/' -e '^node_modules/lightningcss')
files=$(mktemp)
# shellcheck disable=SC2086
find $prod $dev -type f ! -name '*.map' \
  ! -path 'node_modules/webgpu/dist/*' \
  \( ! -path 'node_modules/@tensorflow/*/dist/*' -o -name '*.node.js' -o -name '*.wasm' \) | sort -u > "$files"
find node_modules/webgpu/dist/linux-x64 -type f >> "$files"
find build/Release -maxdepth 1 -name '*.node' >> "$files"
find dist -type f >> "$files"
tar -cf - -T "$files" | xz -T0 -6 > "$pack/app.tar.xz"
rm -f "$files"
tar -cf - -C .. shared/fixtures/reference | xz -T0 -6 > "$pack/reference.tar.xz"

# The libraries the device README names for Vulkan and EGL there, for amd64 whatever this machine is.
if ! ls "$pack"/gl/libvulkan1_*.deb > /dev/null 2>&1; then
  lists=$(mktemp -d); mkdir -p "$lists/partial"
  apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$pack/gl" && apt-get "${apt_opts[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  rm -rf "$lists"
fi

tree_bytes=$(git ls-files -z | xargs -0 stat -c %s | awk '{s += $1} END {print s}')
pack_bytes=$(du -cb "$pack" | tail -1 | cut -f1)
total=$((tree_bytes + pack_bytes))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
for f in "$pack"/node.xz "$pack"/app.tar.xz "$pack"/reference.tar.xz; do echo "pack: $f $(mib "$(stat -c %s "$f")") MiB"; done
echo "pack: tracked files $(mib "$tree_bytes") MiB + $pack $(mib "$pack_bytes") MiB = $(mib "$total") MiB of the $((LIMIT_BYTES / 1048576)) MiB that travel"
[ "$total" -le "$LIMIT_BYTES" ] || { echo "pack: over the limit: the device call would be refused" >&2; exit 1; }
