#!/usr/bin/env bash
# Builds, without any image registry, the images the blog's containers start from:
#
#   conduit-local/debian:bookworm   debootstrap of Debian 12, `docker import`ed (base/)
#   conduit-local/python:3.11       Debian's python3.11, venv, pip      -> PYTHON_IMAGE
#   conduit-local/rabbitmq:3.10     Debian's rabbitmq-server + management -> RABBITMQ_IMAGE
#   conduit-local/postgres:15       Debian's postgresql-15              -> POSTGRES_IMAGE
#   conduit-local/nginx:1.22        Debian's nginx-light                -> NGINX_IMAGE
#
#   deploy/images/build.sh [--rebuild]     (as root, with a running Docker engine)
#
# The debootstrapped base is made once (again with --rebuild); the four images
# are built on every run, from cached layers when nothing changed. None is tagged
# with an official image's name: they live under conduit-local/. The last lines
# printed are the variables that make docker-compose.yml use them.
set -euo pipefail
cd "$(dirname "$0")"

rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true
prefix="${LOCAL_IMAGE_PREFIX:-conduit-local}"
base="$prefix/debian:bookworm"

exists() { docker image inspect "$1" >/dev/null 2>&1; }

if $rebuild || ! exists "$base"; then
  base/build-base.sh "$base"
fi

for spec in python:3.11 rabbitmq:3.10 postgres:15 nginx:1.22; do
  name="${spec%%:*}"
  image="$prefix/$spec"
  # Always built: unchanged files reuse every cached layer (about a second);
  # a changed Dockerfile or entrypoint rebuilds what it must.
  start=$SECONDS
  # The classic builder: Debian 12's engine has no buildx plugin.
  build_args=(--build-arg "BASE_IMAGE=$base")
  $rebuild && build_args+=(--no-cache)
  DOCKER_BUILDKIT=0 docker build --quiet "${build_args[@]}" -t "$image" "$name" \
    >/dev/null 2>"/tmp/conduit-image-$name.log" \
    || { grep -v DEPRECATED "/tmp/conduit-image-$name.log" >&2 || true; exit 1; }
  rm -f "/tmp/conduit-image-$name.log"
  echo "images: $image ready ($((SECONDS - start)) s)"
done

cat <<EOF
PYTHON_IMAGE=$prefix/python:3.11
RABBITMQ_IMAGE=$prefix/rabbitmq:3.10
POSTGRES_IMAGE=$prefix/postgres:15
NGINX_IMAGE=$prefix/nginx:1.22
EOF
