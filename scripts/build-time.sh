#!/usr/bin/env bash
# The clean-build cost of one or more commits: each is checked out in a
# temporary worktree, configured as scripts/setup.sh does and built with
# ninja -j2 and ccache off; prints user and system CPU seconds and wall time.
# CPU time is what to compare on a shared machine; wall time varies with load.
#   scripts/build-time.sh [REV...]      (default: HEAD)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FACEAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faceauth}
[ $# -gt 0 ] || set -- HEAD
for rev in "$@"; do
  dir=$(mktemp -d)
  git -C "$ROOT" worktree add -f --detach "$dir/src" "$rev" >/dev/null 2>&1
  cmake -S "$dir/src" -B "$dir/build" -G Ninja -DFACEAUTH_MODEL_DIR="$CACHE/models" >/dev/null
  CCACHE_DISABLE=1 /usr/bin/time -f "$rev: %U s user CPU, %S s system CPU, %e s wall" \
    ninja -C "$dir/build" -j2 >"$dir/build.log" 2>"$dir/time" || { cat "$dir/build.log"; exit 1; }
  tail -1 "$dir/time"
  git -C "$ROOT" worktree remove --force "$dir/src"
  rm -rf "$dir"
done
