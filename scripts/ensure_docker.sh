#!/usr/bin/env bash
# A Docker engine that answers, for `make test-containers`:
#   - installs Debian's docker.io (and debootstrap, for deploy/images/) when
#     dockerd is missing;
#   - starts dockerd (overlay2) in the background when no engine answers, and
#     writes its pid to $DOCKERD_PIDFILE so that the caller can stop it again;
#     an engine that already answers is used as it is and never stopped.
# Prints "started" or "running" on its last line.
set -euo pipefail
DOCKERD_PIDFILE="${DOCKERD_PIDFILE:-/run/conduit-test-dockerd.pid}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/conduit-test-dockerd.log}"

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: ${missing[*]} missing and not root to install them" >&2
    exit 1
  fi
  echo "ensure_docker: installing ${missing[*]} from Debian" >&2
  # Other apt users on the machine: wait for the lock instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo running
  exit 0
fi

# Debian's docker.io binaries may stand beside a newer client elsewhere on PATH;
# the client negotiates the API version down, either works.
echo "ensure_docker: starting dockerd (log: $DOCKERD_LOG)" >&2
setsid dockerd --storage-driver overlay2 --pidfile /run/conduit-test-dockerd.engine.pid \
  >>"$DOCKERD_LOG" 2>&1 </dev/null &
echo $! >"$DOCKERD_PIDFILE"
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo started
    exit 0
  fi
  if ! kill -0 "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null; then
    echo "ensure_docker: dockerd exited; last lines of $DOCKERD_LOG:" >&2
    tail -n 20 "$DOCKERD_LOG" >&2
    exit 1
  fi
  sleep 1
done
echo "ensure_docker: dockerd did not answer within 60 s" >&2
exit 1
