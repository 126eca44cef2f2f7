#!/bin/sh
# Turns the official image's variables into rabbitmq.conf, then runs the server.
set -eu
# RABBITMQ_DEFAULT_PASS_FILE: the password from a file (a swarm secret).
if [ -n "${RABBITMQ_DEFAULT_PASS_FILE:-}" ]; then
  RABBITMQ_DEFAULT_PASS="$(cat "$RABBITMQ_DEFAULT_PASS_FILE")"
fi
{
  echo "loopback_users = none"
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && echo "default_user = $RABBITMQ_DEFAULT_USER"
  [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] && echo "default_pass = $RABBITMQ_DEFAULT_PASS"
  [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ] && echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
  true
} >/etc/rabbitmq/rabbitmq.conf
exec "$@"
