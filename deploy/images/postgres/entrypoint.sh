#!/bin/sh
# First start (empty $PGDATA): initdb with POSTGRES_USER / POSTGRES_PASSWORD, run
# /docker-entrypoint-initdb.d/*.sql and *.sh on a server that listens on its
# socket only, stop it. Every start: run the server on all addresses.
set -eu
: "${POSTGRES_USER:=postgres}"
# POSTGRES_PASSWORD_FILE: the password from a file (a swarm secret), as the official image.
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  # Local connections (the socket, and 127.0.0.1 for the health check) are
  # trusted, as in the official image; everything else needs the password.
  cat >"$PGDATA/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
host  all all ::1/128 trust
host  all all all scram-sha-256
HBA
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c \
    "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_USER'" -tA | grep -q 1 \
    || psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -qc "CREATE DATABASE \"$POSTGRES_USER\""
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sql) echo "postgres-entrypoint: running $script"
             psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -f "$script" ;;
      *.sh)  echo "postgres-entrypoint: running $script"; . "$script" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
if [ "$1" = postgres ]; then
  shift
  exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
