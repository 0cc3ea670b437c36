#!/usr/bin/env bash
# Fuzzes the parsers for longer than the test suite does (ctest gives each
# target FACEAUTH_FUZZ_SECONDS, 30 s by default): builds the libFuzzer targets
# (tests/fuzz, clang) in the build tree, then runs each named one.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 600 s, every target
#   targets: decode y4m config json arguments records
#
# What a run finds stays in <build>/fuzz/work/TARGET (grown corpus) and
# <build>/fuzz/artifacts/TARGET (failing inputs). Fix the bug, then keep the
# input in tests/fuzz/regressions/TARGET/: every later run replays it first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FACEAUTH_BUILD:-$ROOT/build}
SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(decode y4m config json arguments records)
[ -f "$BUILD/build.ninja" ] || "$ROOT/scripts/setup.sh" --no-demo
ninja -C "$BUILD" faceauth_fuzz
for t in "${TARGETS[@]}"; do
  printf '\033[1m==> fuzz %s for %s s\033[0m\n' "$t" "$SECONDS_EACH"
  "$ROOT/tests/fuzz/run.sh" "$BUILD/fuzz/fuzz_$t" "$t" "$SECONDS_EACH"
done
