#!/usr/bin/env bash
# PostgreSQL restarted under load (issue 15): on a database cluster of its own (port 5497, made
# and dropped here, so no other test is disturbed), `reviewwatch serve` answers four clients
# filing reports and tracking cases while the cluster restarts (fast mode: every connection
# cut). Checks: the portal never stops answering HTTP (no refused connection, no crash); while
# the database is away requests fail cleanly (an error page, 5xx) or succeed; after it every
# request succeeds again; and every report that got a receipt is in the database, none
# half-stored (a case for each 303 and no other).
#
#   bash tests/pg_restart.sh        (as root on Debian with PostgreSQL's server installed)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[pg-restart] %s\n' "$*"; }

VERSION="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
if [ -z "$VERSION" ] || ! command -v pg_createcluster >/dev/null; then
  say "SKIPPED: PostgreSQL's server tools (pg_createcluster) are not installed"; exit 0
fi
CLUSTER=rwrestart PORT=5497
RUN_AS=""; [ "$(id -u)" = 0 ] && RUN_AS="runuser -u postgres --"
WORK="$(mktemp -d -t rw-pgrestart.XXXXXX)"
chmod 755 "$WORK"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  pg_dropcluster --stop "$VERSION" "$CLUSTER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
pg_dropcluster --stop "$VERSION" "$CLUSTER" 2>/dev/null || true
pg_createcluster -q "$VERSION" "$CLUSTER" -p "$PORT" -- --auth=trust >/dev/null
pg_ctlcluster "$VERSION" "$CLUSTER" start
$RUN_AS psql -q -h 127.0.0.1 -p "$PORT" -U postgres -c 'CREATE DATABASE rw' >/dev/null
DB="postgres://postgres@127.0.0.1:$PORT/rw"

cargo build --quiet
BIN="${CARGO_TARGET_DIR:-target}/debug/reviewwatch"
HTTP="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
PORTAL="http://127.0.0.1:$HTTP"
env -u SMTP_URL -u STORAGE_URL DATA_DIR="$WORK/data" DATABASE_URL="$DB" BIND="127.0.0.1:$HTTP" \
  MIN_FORM_SECONDS=0 RATE_LIMIT_REPORTS_PER_HOUR=0 RATE_LIMIT_TRACK_PER_HOUR=0 RUST_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null "$PORTAL/healthz" 2>/dev/null && break; sleep 0.1; done
say "portal at $PORTAL on cluster $CLUSTER (PostgreSQL $VERSION, port $PORT)"

# A small real PNG for the reports.
python3 - "$WORK/shot.png" <<'PY'
import struct, sys, zlib
w, h = 64, 64
raw = b"".join(b"\x00" + bytes((x * 4 ^ y * 4) & 255 for x in range(w) for _ in range(3)) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

# One client: file a report (form, token, multipart POST), then try a tracking lookup; each
# status on a line of its own log ("000" = the portal did not answer at all).
client() {
  local id=$1 until=$2 jar="$WORK/jar-$1" log="$WORK/status-$1"
  while [ "$(date +%s)" -lt "$until" ]; do
    local form token code
    form="$(curl -s -c "$jar" -b "$jar" -w '\n%{http_code}' "$PORTAL/reports/new" || true)"
    code="${form##*$'\n'}"; echo "form $code" >>"$log"
    token="$(printf '%s' "$form" | grep -o 'name="form_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
    if [ -n "$token" ]; then
      code="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" "$PORTAL/reports" \
        -F form_token="$token" -F platform=taobao -F shop_name="重启测试店$id" \
        -F shop_url="https://shop$id.taobao.com/" -F region_province=330000 -F region_city=330100 \
        -F region_code=330110 -F category=cashback_for_review -F seen_on="$(date +%F)" \
        -F description="数据库重启期间的举报：收到好评返现卡，五星好评返现五元。" -F language=zh-CN \
        -F "evidence=@$WORK/shot.png;type=image/png;filename=shot.png" || echo 000)"
      echo "report $code" >>"$log"
    fi
    code="$(curl -s -o /dev/null -w '%{http_code}' "$PORTAL/track" \
      --data-urlencode case_number=RW-2026-000001 --data-urlencode receipt_code=AAAA-BBBB-CCCC-DDDD-EEEE-FFFF || echo 000)"
    echo "track $code" >>"$log"
  done
}

START="$(date +%s)"
for i in 1 2 3 4; do client "$i" $((START + 24)) & done
sleep 6
say "restarting the cluster under load (fast mode)"
pg_ctlcluster "$VERSION" "$CLUSTER" restart -m fast
RESTARTED="$(date +%s)"
wait $(jobs -p | grep -v "^$SERVER_PID$") 2>/dev/null || true
cat "$WORK"/status-* >"$WORK/all"
total="$(wc -l <"$WORK/all")"
refused="$(grep -c ' 000$' "$WORK/all" || true)"
errors="$(grep -c ' 5[0-9][0-9]$' "$WORK/all" || true)"
filed="$(grep -c '^report 303$' "$WORK/all" || true)"
say "requests $total, filed $filed, 5xx $errors (during the restart), no answer $refused"

# After the restart everything answers: a report is filed on the first try.
sleep 1
late="$(curl -s -c "$WORK/late" -b "$WORK/late" "$PORTAL/reports/new")"
token="$(printf '%s' "$late" | grep -o 'name="form_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
after="$(curl -s -o /dev/null -w '%{http_code}' -c "$WORK/late" -b "$WORK/late" "$PORTAL/reports" \
  -F form_token="$token" -F platform=taobao -F shop_name="重启后测试店" -F shop_url="https://shop77.taobao.com/" \
  -F region_province=330000 -F region_city=330100 -F region_code=330110 -F category=cashback_for_review \
  -F seen_on="$(date +%F)" -F description="数据库重启之后的举报：刷单炒信，截图为证。" -F language=zh-CN \
  -F "evidence=@$WORK/shot.png;type=image/png;filename=shot.png")"
cases="$($RUN_AS psql -qtA -h 127.0.0.1 -p "$PORT" -U postgres rw -c 'SELECT count(*) FROM cases')"
orphans="$($RUN_AS psql -qtA -h 127.0.0.1 -p "$PORT" -U postgres rw -c \
  'SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.case_id = c.id)')"
say "after the restart: report answered $after; cases in the database $cases (receipts $((filed + 1))); cases without evidence $orphans"

fail=0
kill -0 "$SERVER_PID" 2>/dev/null || { say "FAIL: the portal died"; fail=1; }
[ "$refused" = 0 ] || { say "FAIL: $refused requests got no answer at all"; fail=1; }
[ "$after" = 303 ] || { say "FAIL: after the restart a report was answered $after"; fail=1; }
[ "$cases" = "$((filed + 1))" ] || { say "FAIL: $cases cases for $((filed + 1)) receipts"; fail=1; }
[ "$orphans" = 0 ] || { say "FAIL: $orphans cases were stored without their screenshot"; fail=1; }
[ "$filed" -gt 0 ] || { say "FAIL: no report was filed at all"; fail=1; }
if [ "$fail" = 0 ]; then say "passed"; else tail -20 "$WORK/server.log" >&2; fi
exit "$fail"
