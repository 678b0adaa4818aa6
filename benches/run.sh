#!/usr/bin/env bash
# The one benchmark command (issue 14): page ratios against bare actix-web + askama pages with
# load from wrk, the officer queue per view at each size, report submission, mail, peak RSS.
# Prints one markdown table at the end. See docs/PERFORMANCE.md for the settings
# (BENCH_SECONDS, BENCH_CASES, BENCH_DATABASE_URL, BENCH_ONLY, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (the load generator for the page ratios)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk \
    || { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk; } \
    || echo "wrk could not be installed: the page ratios will be skipped" >&2
fi
exec cargo bench --bench load "$@"
