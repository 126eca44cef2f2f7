#!/usr/bin/env bash
# Checks Dockerfile, .dockerignore, docker-compose.yml and .env.example without a
# Docker engine (called by .ci/run):
#   1. the deployment rules of scripts/check_containers.py (always);
#   2. the Compose schema and interpolation, with `docker compose config` or
#      `docker-compose config` when one is installed (neither needs a daemon);
#      the secrets left empty in .env.example get placeholder values for it.
#   3. hadolint on the Dockerfile when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"

"$BIN/python" -W ignore scripts/check_containers.py

compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif [ -x "$BIN/docker-compose" ]; then
  compose=("$BIN/docker-compose")   # installed by make test-containers
fi
if [ "${#compose[@]}" -gt 0 ]; then
  env_file="$(mktemp)"
  trap 'rm -f "$env_file"' EXIT
  sed -E 's/^([A-Z_]+)=$/\1=placeholder-for-check/' .env.example >"$env_file"
  "${compose[@]}" --env-file "$env_file" -f docker-compose.yml config -q
  echo "docker-compose.yml: valid for ${compose[*]} config"
else
  echo "docker-compose.yml: no docker compose plugin or docker-compose here; schema not checked"
fi

if command -v hadolint >/dev/null 2>&1; then
  hadolint Dockerfile
  echo "Dockerfile: hadolint found nothing"
fi
