#!/usr/bin/env bash
# Runs the web app's browser journeys: builds `comptoir` (dev profile), starts
# `comptoir demo` on a free port with a temporary data directory, runs the journeys in
# Debian's Chromium (playwright-core, axe-core), and stops everything it started.
# Needs: /usr/bin/chromium, node and npm, and `npm ci` done in this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/comptoir-target}"

cargo build --locked -q -p cli --manifest-path "$root/Cargo.toml"
binary="$CARGO_TARGET_DIR/debug/comptoir"

work="$(mktemp -d)"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

COMPTOIR_DATA_DIR="$work/data" "$binary" demo --listen 127.0.0.1:0 --rate "${DEMO_RATE:-4}" >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!

for _ in $(seq 1 600); do
  if grep -q '^Password: ' "$work/demo.out" && grep -q '^API token: ' "$work/demo.out"; then break; fi
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "the demo stopped before it was ready:" >&2
    cat "$work/demo.err" >&2
    exit 1
  fi
  sleep 0.2
done
field() { sed -n "s/^$1: //p" "$work/demo.out" | head -n 1; }
export COMPTOIR_APP_URL="$(field 'Web app')"
export COMPTOIR_URL="${COMPTOIR_APP_URL%/app}"
export COMPTOIR_EMAIL="$(field 'Sign in as')"
export COMPTOIR_PASSWORD="$(field 'Password')"
export COMPTOIR_TOKEN="$(field 'API token')"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$root/docs/screenshots}"
if [ -z "$COMPTOIR_APP_URL" ] || [ -z "$COMPTOIR_PASSWORD" ]; then
  echo "the demo did not print its URL and credentials:" >&2
  cat "$work/demo.out" >&2
  exit 1
fi
echo "browser tests against $COMPTOIR_URL (demo pid $demo_pid)"

cd "$here"
status=0
# BROWSER_TESTS=listening.test.mjs runs one file.
node --test --test-concurrency=1 ${BROWSER_TESTS:-./*.test.mjs} || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- demo stderr (last 40 lines) ---" >&2
  tail -n 40 "$work/demo.err" >&2
fi
exit "$status"
