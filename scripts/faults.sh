#!/usr/bin/env bash
# The long mode of the fault tests (tests/e2e/test_faults.py): the daemon is
# killed with SIGKILL at random points of ROUNDS enrollments (the test suite
# does 5), each followed by the integrity, audit-chain and match checks, plus
# the file-size limit, replaced model and removed source cases. Needs root,
# like every end-to-end test, and ../shared/faces.
#
#   scripts/faults.sh [ROUNDS] [SEED]      default: 50 rounds, seed 14
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FACEAUTH_BUILD:-$ROOT/build}
[ -f "$BUILD/build.ninja" ] || "$ROOT/scripts/setup.sh" --no-demo
ninja -C "$BUILD"
model_dir=$(sed -n 's/^FACEAUTH_MODEL_DIR:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
shared_dir=$(sed -n 's/^FACEAUTH_SHARED_DIR:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
# Run directly rather than through ctest, whose 300 s limit suits 5 rounds.
FACEAUTH_FAULT_ROUNDS=${1:-50} FACEAUTH_FAULT_SEED=${2:-14} \
  FACEAUTHD="$BUILD/daemon/faceauthd" FACEAUTH_MODEL_DIR="$model_dir" \
  FACEAUTH_SHARED_DIR="${FACEAUTH_SHARED_DIR:-$shared_dir}" FACEAUTH_SOURCE_DIR="$ROOT" \
  python3 "$ROOT/tests/e2e/test_faults.py"
