#!/bin/sh
# Entry point of the blog image. Secrets can come from files, as swarm secrets
# do (/run/secrets/NAME): for every variable VAR_FILE in the environment, VAR is
# set to the content of that file (without its final newline), then the command
# runs. Nothing else changes; without *_FILE variables this only runs "$@".
set -eu
for assignment in $(env | grep -E '^[A-Z][A-Z0-9_]*_FILE=' | cut -d= -f1); do
  name="${assignment%_FILE}"
  file="$(printenv "$assignment")"
  if [ ! -r "$file" ]; then
    echo "entrypoint: $assignment names $file, which cannot be read" >&2
    exit 1
  fi
  value="$(cat "$file")"
  export "$name=$value"
  unset "$assignment"
done
exec "$@"
