#!/usr/bin/env bash
# The object-storage journeys (issue 15) against a real S3-compatible server on loopback:
# moto's server mode, installed from PyPI when missing. Makes a bucket, then runs
# `cargo test --test journeys object_storage` with TEST_STORAGE_URL and the AWS_* variables set;
# with TEST_DATABASE_URL set (PostgreSQL) the two-instance journey runs too (two `reviewwatch
# serve` processes, given STORAGE_URL and these AWS_* variables).
#
#   bash tests/object_storage.sh                      (SQLite; the two-instance test skips)
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash tests/object_storage.sh
#
# Says clearly, and exits 0, when no S3-compatible server can be had here (no Python, no PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[object-storage] %s\n' "$*"; }

if ! command -v moto_server >/dev/null 2>&1; then
  if ! command -v python3 >/dev/null 2>&1; then
    say "SKIPPED: python3 is missing, so no S3-compatible server (moto) can be started"; exit 0
  fi
  say "installing moto[server] from PyPI"
  if ! python3 -m pip install -q 'moto[server]>=5,<6' >/dev/null 2>&1; then
    say "SKIPPED: moto[server] could not be installed from PyPI"; exit 0
  fi
  hash -r
fi
MOTO="$(command -v moto_server || true)"
[ -n "$MOTO" ] || { say "SKIPPED: moto_server is not on PATH after installing"; exit 0; }

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
LOG="$(mktemp -t rw-moto.XXXXXX)"
"$MOTO" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$LOG" >&2; say "moto did not start"; exit 1; }
  sleep 0.1
done
BUCKET=reviewwatch-test
curl -fsS -X PUT -o /dev/null "http://127.0.0.1:$PORT/$BUCKET"
say "moto on 127.0.0.1:$PORT, bucket $BUCKET"

export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test TEST_STORAGE_URL="s3://$BUCKET"
cargo test --test journeys object_storage
