#!/usr/bin/env bash
# Runs every faceauth test: makes sure the packages and models are there and
# the build is current (scripts/setup.sh --no-demo), then ctest.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FACEAUTH_BUILD:-$ROOT/build}
"$ROOT/scripts/setup.sh" --no-demo
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 900
