#!/usr/bin/env bash
# Installs Mesa's lavapipe (Vulkan on the CPU) from bookworm-backports: a WebGPU adapter for the WebGPU tests on
# a machine without a GPU. bookworm's own mesa-vulkan-drivers (22.3) is too old for Dawn; backports' (25.x) works.
set -euo pipefail
src=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' "$src" 2>/dev/null || true)
key=$(awk '/^Signed-By:/ {print $2; exit}' "$src" 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
cat > /etc/apt/sources.list.d/grokcheck-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: $key
SRC
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 > /dev/null
