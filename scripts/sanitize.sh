#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer: builds
# faceauth with -DFACEAUTH_SANITIZE=address,undefined in its own tree, then
# runs ctest there. The daemon and faceauthctl run sanitized in the
# end-to-end tests (the harness passes the *SAN_OPTIONS below on and fails a
# test whose daemon printed a report); the PAM module is built without
# sanitizers (it loads into programs built without them) and checked by
# valgrind in e2e_pam instead. The install tests are left out: they package
# and install the build, which is not what a sanitized tree is for.
#
#   scripts/sanitize.sh [ctest arguments]      e.g. scripts/sanitize.sh -R store
#
# Environment: FACEAUTH_SANITIZE_BUILD (default ./build-sanitize) is the build
# tree; FACEAUTH_CACHE and FACEAUTH_SHARED_DIR as for scripts/setup.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FACEAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faceauth}
SHARED=${FACEAUTH_SHARED_DIR:-$ROOT/../shared}
BUILD=${FACEAUTH_SANITIZE_BUILD:-$ROOT/build-sanitize}

"$ROOT/scripts/setup.sh" --deps-only
printf '\033[1m==> %s\033[0m\n' "Building with address,undefined sanitizers in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DFACEAUTH_SANITIZE=address,undefined \
  -DFACEAUTH_MODEL_DIR="$CACHE/models" -DFACEAUTH_SHARED_DIR="$SHARED" >/dev/null
ninja -C "$BUILD" -j"$(nproc)"

# halt_on_error: a report ends the program, so the test that ran it fails.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# dlib's detection runs several times slower under ASan: longer verification timeouts.
export FACEAUTH_E2E_TIME_SCALE=${FACEAUTH_E2E_TIME_SCALE:-4}
export LSAN_OPTIONS=suppressions=$ROOT/tests/sanitize/lsan.supp:print_suppressions=0
printf '\033[1m==> %s\033[0m\n' "Running the tests under the sanitizers"
start=$(date +%s)
ctest --test-dir "$BUILD" -E '^install_' --output-on-failure -j2 --timeout 1800 "$@"
echo "sanitized test run: $(( $(date +%s) - start )) s"
