#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium for the
# browser tests (Playwright cannot download its own browser here).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: run 'sudo apt-get install chromium'." >&2
  exit 1
fi
echo "Installing Chromium with apt-get..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
