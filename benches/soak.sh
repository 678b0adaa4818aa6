#!/usr/bin/env bash
# The load script of issue 15 (not run by CI: it takes minutes): two `reviewwatch serve`
# instances on one PostgreSQL database and one S3-compatible bucket, 50 shoppers filing reports
# with real-looking screenshots while two officers work the queue; then checks that nothing was
# lost (see benches/load/soak.rs). Starts moto's S3 server on loopback (from PyPI if missing).
#
#   SOAK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bash benches/soak.sh
#   (SOAK_SECONDS=60 SOAK_CLIENTS=50 by default; SOAK_PROFILE=dev for a quick check of the
#   script itself without a release build)
#
# The run makes a database of its own (rw_soak_…) and drops it at the end, also when it fails;
# should the run be killed, this script's exit trap drops it (with psql, where installed).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SOAK_DATABASE_URL:=postgres://postgres@127.0.0.1:5432/postgres}"
export SOAK_DATABASE_URL
SOAK_DATABASE_NAME="rw_soak_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
export SOAK_DATABASE_NAME
command -v moto_server >/dev/null 2>&1 || python3 -m pip install -q 'moto[server]>=5,<6'
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
moto_server -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO_PID=$!
drop_database() {
  command -v psql >/dev/null 2>&1 &&
    psql -q "$SOAK_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$SOAK_DATABASE_NAME\" WITH (FORCE)" \
      >/dev/null 2>&1 || true
}
trap 'kill "$MOTO_PID" 2>/dev/null || true; drop_database' EXIT
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break; sleep 0.1; done
curl -fsS -X PUT -o /dev/null "http://127.0.0.1:$PORT/reviewwatch-soak"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=soak AWS_SECRET_ACCESS_KEY=soak STORAGE_URL="s3://reviewwatch-soak/run-$RANDOM"
cargo bench --bench load ${SOAK_PROFILE:+--profile "$SOAK_PROFILE"} -- --soak
