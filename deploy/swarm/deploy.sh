#!/usr/bin/env bash
# Deploys the blog on a swarm from docker-compose.yml and docker-compose.swarm.yml:
#
#   docker swarm init                                  # once, on the first manager
#   deploy/swarm/deploy.sh STACK [ENV_FILE]            # default ENV_FILE: .env
#
# ENV_FILE is read like compose reads .env (images, tuning, the secrets).
# Swarm secrets (named STACK_NAME) that do not exist yet are created from it: secret_key,
# postgres_password (the superuser's, for the postgres service alone),
# blog_db_password (the services' database role, BLOG_DB_USER, not a superuser),
# rabbitmq_password, broker_password_PART (one broker account
# per part, made by the broker-setup job), and the URIs that embed a password
# (amqp_uri_PART, rabbitmq_management_url, users_db_uri, blog_db_uri: as
# BLOG_DB_USER, never as POSTGRES_USER). Existing secrets are kept
# (a swarm secret cannot change in place: rotate by creating a new name). The
# services read them as files under /run/secrets (VAR_FILE variables); the
# merged file handed to `docker stack deploy` holds no secret value.
set -euo pipefail
cd "$(dirname "$0")/../.."
stack="${1:?usage: deploy/swarm/deploy.sh STACK [ENV_FILE]}"
env_file="${2:-.env}"
compose=(${COMPOSE_COMMAND:-docker compose})

set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
: "${SECRET_KEY:?}" "${POSTGRES_PASSWORD:?}" "${RABBITMQ_PASSWORD:?}"
: "${BLOG_DB_PASSWORD:?set BLOG_DB_PASSWORD in $env_file}"
blog_db_user="${BLOG_DB_USER:-blog_app}"
rabbitmq_user="${RABBITMQ_USER:-blog}"

export SWARM_SECRET_PREFIX="${stack}_"
create_secret() {
  local name="$SWARM_SECRET_PREFIX$1"
  if ! docker secret inspect "$name" >/dev/null 2>&1; then
    printf '%s' "$2" | docker secret create "$name" - >/dev/null
    echo "swarm: secret $name created"
  fi
}
create_secret secret_key "$SECRET_KEY"
create_secret postgres_password "$POSTGRES_PASSWORD"
create_secret blog_db_password "$BLOG_DB_PASSWORD"
create_secret rabbitmq_password "$RABBITMQ_PASSWORD"
# One broker account per part (made by the broker-setup job), each part its own URI.
create_secret rabbitmq_management_url "http://$rabbitmq_user:$RABBITMQ_PASSWORD@rabbitmq:15672"
for part in storage users blog gateway frontend admin; do
  variable="BROKER_PASSWORD_${part^^}"
  password="${!variable:?set $variable in $env_file}"
  create_secret "broker_password_$part" "$password"
  if [ "$part" != admin ]; then
    create_secret "amqp_uri_$part" "pyamqp://conduit.$part:$password@rabbitmq:5672/"
  fi
done
# storage and migrate connect as the blog's role, never as the superuser.
create_secret users_db_uri \
  "postgresql+pg8000://$blog_db_user:$BLOG_DB_PASSWORD@postgres:5432/blog_users"
create_secret blog_db_uri \
  "postgresql+pg8000://$blog_db_user:$BLOG_DB_PASSWORD@postgres:5432/blog_blog"

stack_file="$(mktemp)"
trap 'rm -f "$stack_file"' EXIT
"${compose[@]}" -p "$stack" --env-file "$env_file" -f docker-compose.yml \
  -f deploy/swarm/docker-compose.swarm.yml config --format json 2>/dev/null \
  | python3 deploy/swarm/stack.py >"$stack_file"
# Images are built on this machine (or pulled by each node from a registry of
# yours: then drop --resolve-image never).
docker stack deploy --resolve-image never --prune -c "$stack_file" "$stack"
