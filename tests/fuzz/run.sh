#!/usr/bin/env bash
# Runs one libFuzzer target: first every kept regression input once, then
# fuzzing for SECONDS from the seed corpus (tests/fuzz/corpus/NAME) plus what
# earlier runs in this build tree found (<build>/fuzz/work/NAME). Prints
# libFuzzer's final statistics (executions, coverage) and a JSON line.
#
#   tests/fuzz/run.sh BINARY NAME SECONDS
set -euo pipefail
bin=$1 name=$2 seconds=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seeds=$here/corpus/$name
regressions=$here/regressions/$name
work=$(dirname "$bin")/work/$name
mkdir -p "$work"
if [ ! -x "$bin" ]; then
  echo "fuzz $name: $bin was not built (needs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  "$bin" -runs=1 "$regressions"/* 2>&1 | tail -n 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
artifacts=$(dirname "$bin")/artifacts/$name
mkdir -p "$artifacts"
if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  -max_len=1048576 -artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1; then
  tail -n 60 "$log"
  echo "fuzz $name: the failing input is in $artifacts/; once fixed, keep it in tests/fuzz/regressions/$name/" >&2
  exit 1
fi
grep -E '^stat::|DONE|Done' "$log" | tail -n 12
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+')
ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+')
echo "{\"fuzz_target\": \"$name\", \"seconds\": $seconds, \"executions\": ${execs:-0}, \"coverage_edges\": ${cov:-0}, \"features\": ${ft:-0}}"
