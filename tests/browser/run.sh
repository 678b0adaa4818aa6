#!/usr/bin/env bash
# Headless-browser journey test of the ReviewWatch portal: a zh-CN shopper files a report with
# screenshots, confirms it from the email, tracks it, switches language, withdraws it; a bad file
# is refused; the form still works with JavaScript off; then a supervisor (made with
# `reviewwatch officer add`) works a case through the officer pages while its reporter answers
# from the status email; then phone.mjs walks the shopper's pages at 390 px with axe-core (issue 16).
# See tests/browser/README.md.
#
#   bash tests/browser/run.sh            (from the repository root, as root on Debian)
#
# Installs what it lacks (Debian's chromium, CJK fonts, the pinned playwright-core), builds and
# starts the portal the way the README tells a newcomer (`cargo run -- serve`) on a fresh data
# folder and a free port, runs journey.mjs against it, and stops the portal on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHROMIUM=/usr/bin/chromium
export DEBIAN_FRONTEND=noninteractive
# playwright-core never downloads a browser by itself; this makes sure nothing else tries either.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '[browser] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

# --- what the run needs -------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  say "installing Debian's chromium"
  apt_install chromium
fi
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  say "installing CJK fonts (fonts-noto-cjk)"
  apt_install fontconfig fonts-noto-cjk
fi
for tool in node npm cargo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is needed and missing" >&2; exit 1; }
done

want_pw="$(node -p 'require(process.argv[1]).dependencies["playwright-core"]' "$HERE/package.json")"
have_pw="$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
  "$HERE/node_modules/playwright-core/package.json" 2>/dev/null || true)"
want_axe="$(node -p 'require(process.argv[1]).dependencies["axe-core"]' "$HERE/package.json")"
have_axe="$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
  "$HERE/node_modules/axe-core/package.json" 2>/dev/null || true)"
if [ "$have_pw" != "$want_pw" ] || [ "$have_axe" != "$want_axe" ]; then
  say "npm ci (playwright-core $want_pw, axe-core $want_axe)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# --- the portal ---------------------------------------------------------------------------
cd "$ROOT"
say "building the portal (cargo build)"
cargo build --quiet

WORK="$(mktemp -d -t rw-browser.XXXXXX)"
DATA_DIR="$(mktemp -d -t rw-browser-data.XXXXXX)"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    # The server runs in its own process group (setsid), so cargo and the portal go together.
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" != 0 ] && [ -s "$WORK/server.log" ]; then
    echo "--- last lines of the portal's log ---" >&2
    tail -n 40 "$WORK/server.log" >&2 || true
  fi
  if [ "$rc" != 0 ] && [ -d "$WORK/failures" ]; then
    local keep
    keep="$(mktemp -d -t rw-browser-failures.XXXXXX)"
    cp -r "$WORK/failures/." "$keep/" && echo "run.sh: failure screenshots kept in $keep" >&2
  fi
  rm -rf "$WORK" "$DATA_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
PORTAL="http://127.0.0.1:$PORT"

# Officer accounts, made with the real command before the portal starts, the way the README tells
# a newcomer: the password comes from REVIEWWATCH_PASSWORD, never from a flag.
SUPERVISOR_EMAIL=supervisor@example.gov.cn
SUPERVISOR_PASSWORD="主管-Browser-Journey-$RANDOM$RANDOM"
OFFICER_EMAIL=liming@example.gov.cn
OFFICER_PASSWORD="办案-Browser-Journey-$RANDOM$RANDOM"
add_officer() { # email name role password
  env -u SMTP_URL -u BASE_URL -u DATABASE_URL NO_COLOR=1 DATA_DIR="$DATA_DIR" RUST_LOG=warn \
    REVIEWWATCH_PASSWORD="$4" cargo run --quiet -- officer add --email "$1" --name "$2" --role "$3" \
    </dev/null | sed 's/^/[browser]   /'
}
say "adding officers (reviewwatch officer add)"
add_officer "$SUPERVISOR_EMAIL" 王主管 supervisor "$SUPERVISOR_PASSWORD"
add_officer "$OFFICER_EMAIL" 李明 officer "$OFFICER_PASSWORD"

say "starting the portal at $PORTAL (DATA_DIR=$DATA_DIR)"
# No SMTP_URL: mail is written as .eml files to $DATA_DIR/mail, where the journey reads it.
# MIN_FORM_SECONDS keeps its default (3 s): the journey waits like a person would.
# The journey's shoppers all come from 127.0.0.1: more than the default 10 reports an hour from
# one address, so that limit is raised (its own journey tests it).
env -u SMTP_URL -u BASE_URL -u DATABASE_URL -u MIN_FORM_SECONDS \
  RATE_LIMIT_REPORTS_PER_HOUR=40 \
  NO_COLOR=1 DATA_DIR="$DATA_DIR" BIND="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-info,actix_server=warn}" \
  setsid cargo run --quiet -- serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

healthy() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 2 -o /dev/null "$PORTAL/healthz" 2>/dev/null
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$PORTAL/healthz"
  fi
}
deadline=$((SECONDS + 60))
until healthy; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run.sh: the portal exited before answering /healthz" >&2; exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "run.sh: the portal did not answer $PORTAL/healthz within 60 s" >&2; exit 1
  fi
  sleep 0.3
done
say "portal is up"

# --- the journey --------------------------------------------------------------------------
# PHONE_ONLY=1 runs phone.mjs alone (quicker while working on the phone pages).
[ -n "${PHONE_ONLY:-}" ] || PORTAL_URL="$PORTAL" DATA_DIR="$DATA_DIR" WORK_DIR="$WORK" TMPDIR="$WORK" CHROMIUM="$CHROMIUM" \
  SCREENSHOT_DIR="$ROOT/docs/screenshots" \
  REVIEWWATCH_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/reviewwatch" \
  SUPERVISOR_EMAIL="$SUPERVISOR_EMAIL" SUPERVISOR_PASSWORD="$SUPERVISOR_PASSWORD" \
  OFFICER_EMAIL="$OFFICER_EMAIL" OFFICER_PASSWORD="$OFFICER_PASSWORD" \
  node "$HERE/journey.mjs" || journey_rc=$?

# The officer's desk at 1440 × 900 (issue 17), on the cases the journey left: the supervisor signs
# in with a code of the second factor journey.mjs turned on (its secret in $WORK/supervisor-totp).
if [ -z "${PHONE_ONLY:-}" ]; then
  say "officer's desk (1440 × 900, axe-core)"
  PORTAL_URL="$PORTAL" DATA_DIR="$DATA_DIR" WORK_DIR="$WORK" TMPDIR="$WORK" CHROMIUM="$CHROMIUM" \
    SCREENSHOT_DIR="$ROOT/docs/screenshots" \
    SUPERVISOR_EMAIL="$SUPERVISOR_EMAIL" SUPERVISOR_PASSWORD="$SUPERVISOR_PASSWORD" \
    node "$HERE/desk.mjs" || desk_rc=$?
fi

# The phone-sized shopper and axe-core on every main page (issue 16), run even if the journey failed.
say "phone journey (390 × 844, axe-core)"
PORTAL_URL="$PORTAL" DATA_DIR="$DATA_DIR" WORK_DIR="$WORK" TMPDIR="$WORK" CHROMIUM="$CHROMIUM" \
  SCREENSHOT_DIR="$ROOT/docs/screenshots" \
  node "$HERE/phone.mjs" || phone_rc=$?
exit $(( ${journey_rc:-0} != 0 || ${desk_rc:-0} != 0 || ${phone_rc:-0} != 0 ))
