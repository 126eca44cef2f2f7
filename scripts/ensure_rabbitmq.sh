#!/usr/bin/env bash
# Make RabbitMQ reachable at the configured AMQP URI (default 127.0.0.1:5672):
# install it with apt-get when missing (as root), start it when not running,
# enable the management plugin (nameko's test fixtures and the e2e stack create
# virtual hosts through it) and wait until both answer.
set -euo pipefail

uri="${AMQP_URI:-pyamqp://guest:guest@127.0.0.1:5672/}"
hostport="${uri#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if reachable "$host" "$port"; then
  echo "RabbitMQ answers at $host:$port"
  if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then exit 0; fi
else
  if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
    echo "RabbitMQ at $host:$port does not answer, and it is not local: start it there." >&2
    exit 1
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "RabbitMQ is not installed: run 'sudo apt-get install rabbitmq-server'." >&2
      exit 1
    fi
    echo "Installing RabbitMQ with apt-get..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  echo "Starting RabbitMQ..."
  rabbitmq-server -detached || true
fi

wait_for_port() {
  for _ in $(seq 1 90); do
    if reachable "$host" "$1"; then return 0; fi
    sleep 1
  done
  echo "RabbitMQ did not open port $1 on $host within 90 s" >&2
  exit 1
}

# The management plugin can only be enabled on a running node.
wait_for_port "$port"
if command -v rabbitmq-plugins >/dev/null 2>&1; then
  rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null 2>&1 \
    || echo "could not enable rabbitmq_management; the tests need it on port 15672" >&2
fi
wait_for_port 15672
echo "RabbitMQ is up (AMQP $port, management 15672)"
