#!/usr/bin/env bash
# Fuzzes ReviewWatch's hostile-input surfaces for a bounded time each (not part of the README's
# test command): image intake and type detection, the handoff package verifier, and the form
# and URL parsers.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)
#
# Uses cargo-fuzz (installed from crates.io if missing) with libFuzzer. cargo-fuzz passes
# nightly-only flags to rustc; on the machine's stable toolchain RUSTC_BOOTSTRAP=1 lets it
# (these builds alone; the portal itself never builds that way). Each crash found is kept in
# tests/fuzz/artifacts/<target>/ and must become a regression test (see docs/SECURITY.md).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SECONDS_PER_TARGET="${1:-60}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
status=0
for target in image_intake package_verify form_parsers; do
  corpus="$HERE/corpus/$target"
  mkdir -p "$corpus" "$HERE/artifacts/$target"
  # Real screenshots give the image fuzzer valid PNGs to mutate from.
  if [ "$target" = image_intake ] && [ -z "$(ls -A "$corpus")" ]; then
    cp "$HERE"/../../docs/screenshots/*.png "$corpus"/ 2>/dev/null || true
  fi
  echo "[fuzz] $target for ${SECONDS_PER_TARGET}s"
  # -rss_limit_mb: the portal's own limits must keep every input well under this.
  if ! cargo fuzz run --fuzz-dir "$HERE" --sanitizer none "$target" "$corpus" -- \
      -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=1024 -max_len=2000000 \
      -artifact_prefix="$HERE/artifacts/$target/" -print_final_stats=1 2>&1 | tail -n 12; then
    echo "[fuzz] $target FAILED: see $HERE/artifacts/$target/"
    status=1
  fi
done
exit $status
