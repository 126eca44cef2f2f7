#!/usr/bin/env bash
# The whole suite, in two runs of pytest:
#   1. unit and integration tests under `nameko test` (eventlet monkey-patched,
#      real RabbitMQ through nameko's rabbit_config, real SQLite/PostgreSQL);
#   2. end-to-end tests under plain pytest: they drive real processes over
#      HTTP and a real Chromium, and Playwright must not run monkey-patched.
# Exit code 5 ("no tests collected") of a run counts as a failure: every run
# here has tests, so collecting none means something is broken.
set -uo pipefail
BIN="${BIN:-.venv/bin}"
reports="$(mktemp -d)"

if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "PostgreSQL answers on 127.0.0.1:5432: the storage, backup and e2e suites run on it too."
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432: its suites are skipped (see the skip reasons)."
fi

"$BIN/nameko" test tests/unit tests/integration -q -p no:cacheprovider \
  --junitxml="$reports/services.xml" "$@"
services_status=$?

"$BIN/python" -m pytest tests/e2e -q -p no:cacheprovider --suppress-nameko-eventlet-notification --junitxml="$reports/e2e.xml" "$@"
e2e_status=$?

"$BIN/python" scripts/summarise_junit.py "$reports"/*.xml
echo "unit+integration exit code: $services_status; e2e exit code: $e2e_status"
rm -rf "$reports"
[ "$services_status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
