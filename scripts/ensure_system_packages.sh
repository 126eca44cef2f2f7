#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium for the
# browser tests (Playwright cannot download its own browser here) and nginx, in
# which tests/integration/test_proxy_chain.py runs the proxy's configuration.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: run 'sudo apt-get install ${missing[*]}'." >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
