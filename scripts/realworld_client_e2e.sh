#!/usr/bin/env bash
# Run the reference Angular RealWorld client's own end-to-end suite (Playwright)
# against this project's gateway, which must already be running (docs/api.md,
# "Running a RealWorld client's own test suite", says how to start it).
#
# Needs the internet (GitHub and the npm registry), so it is not part of make test.
# Nothing it fetches goes into this repository: the client lives in CLIENT_DIR.
# Uses the system's Chromium (no browser download); exits with Playwright's status.
set -euo pipefail

API_URL="${API_URL:-http://127.0.0.1:8101/api}"
CLIENT_DIR="${CLIENT_DIR:-/tmp/angular-client}"
CLIENT_REPO="${CLIENT_REPO:-https://github.com/gothinkster/angular-realworld-example-app}"
CLIENT_COMMIT="${CLIENT_COMMIT:-987b6346f2476bbc4be0845917df1699ddf014b4}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM: apt-get install -y chromium" >&2; exit 1; }
curl -fsS -o /dev/null "$API_URL/tags" \
  || { echo "the gateway does not answer at $API_URL (start it first)" >&2; exit 1; }

[ -d "$CLIENT_DIR/.git" ] || git clone -q "$CLIENT_REPO" "$CLIENT_DIR"
cd "$CLIENT_DIR"
git checkout -q --force "$CLIENT_COMMIT"

# The client's API root, and the suite's own "API should be accessible" check, point at
# the public demo API; point both at the gateway instead.
sed -i "s#https://api.realworld.show/api#${API_URL}#" \
  src/app/core/interceptors/api.interceptor.ts e2e/health.spec.ts

PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 HUSKY=0 npm install --no-audit --no-fund

# The client loads its icon font from a CDN; the delete-comment button is an icon, which
# without the font has no size and so is "not visible" to the suite. Serve the same
# stylesheet (ionicons 2.0.1, from the npm registry) with the client instead.
npm install --no-save --no-audit --no-fund ionicons@2.0.1
mkdir -p src/assets/ionicons
cp -r node_modules/ionicons/css node_modules/ionicons/fonts src/assets/ionicons/
sed -i 's#//code.ionicframework.com/ionicons/2.0.1/css/ionicons.min.css#assets/ionicons/css/ionicons.min.css#' \
  src/index.html
# Its web fonts come from Google; an optimised build inlines them and fails without them.
python3 - <<'PY'
import re, pathlib
page = pathlib.Path("src/index.html")
page.write_text(re.sub(r'\s*<link\s+href="//fonts\.googleapis\.com[^>]*>', "", page.read_text()))
PY

# The suite expects the public demo API's data: a user "johndoe" with articles tagged
# "popular" and "trending". Make them once.
if ! curl -fs -o /dev/null "$API_URL/profiles/johndoe"; then
  token=$(curl -fsS -H 'Content-Type: application/json' "$API_URL/users" -d '{"user":
    {"username": "johndoe", "email": "johndoe@example.com", "password": "johndoe demo password 42"}}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["user"]["token"])')
  curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Token $token" \
    "$API_URL/articles" -d '{"article": {"title": "Welcome to the demo", "description": "johndoe",
    "body": "An article by **johndoe**.", "tagList": ["popular", "trending"]}}'
fi

# The suite's own configuration, with the system's Chromium and a plain list report.
cat > playwright.local.config.ts <<EOF
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({
  ...base,
  reporter: [['list']],
  // The optimised build: the development one reloads too slowly for the suite's 15 s per test.
  webServer: { ...base.webServer, command: 'npx ng serve --configuration production --port 4200',
               timeout: 600000 },
  use: {
    ...base.use,
    launchOptions: {
      executablePath: '${CHROMIUM}',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
EOF

NG_CLI_ANALYTICS=false npx playwright test -c playwright.local.config.ts "$@"
