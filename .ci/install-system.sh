#!/usr/bin/env bash
# System packages Tessera needs on Debian 12: a Vulkan driver new enough for Dawn
# (Mesa 25 lavapipe from bookworm-backports; Mesa 22.3 is rejected), Chromium for UI tests.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
apt-get install -y -qq chromium python3-venv vulkan-tools >/dev/null || apt-get install -y -qq chromium python3-venv >/dev/null
