#!/usr/bin/env bash
# The faceauth demo: the whole system on a private bus, with a recorded camera,
# changing nothing outside the build tree.
#   1. a private dbus-daemon and faceauthd (camera = a folder of photos)
#   2. faceauthctl enroll: the privacy notice and consent are shown, "yes" typed
#   3. pamtester through the real pam_faceauth.so (under pam_wrapper, so the PAM
#      service file lives in the build tree): the camera shows the enrolled
#      person -> success without a password
#   4. the camera shows another person -> "Face not recognised", the password is
#      asked and accepted (pam_matrix, a password file in the build tree); the
#      account step then clears the failed face attempt
#
#   scripts/demo.sh [PERSON_DIR OTHER_DIR]
#
# Photos: the two folders named, else ../shared/faces (John_Salley, John_Simm),
# else astronaut.png and a few enlarged LFW faces from Debian's python3-skimage (cached by
# scripts/setup.sh). Runs as root (re-run with sudo otherwise): the demo daemon
# runs as root on its private bus, so no system user has to be created.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FACEAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faceauth}
BUILD=${FACEAUTH_BUILD:-$ROOT/build}
SHARED=${FACEAUTH_SHARED_DIR:-$ROOT/../shared}

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=FACEAUTH_CACHE,FACEAUTH_BUILD,FACEAUTH_SHARED_DIR \
    FACEAUTH_CACHE="$CACHE" "$0" "$@"
fi

die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
find_lib() {
  local d
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib/"$(uname -m)"-linux-gnu /usr/lib /lib; do
    [ -e "$d/$1" ] && { echo "$d/$1"; return; }
  done
  die "$1 not found; run scripts/setup.sh first"
}

if [ $# -eq 2 ]; then
  PERSON=$1 OTHER=$2
elif [ -d "$SHARED/faces/identities" ]; then
  PERSON=$SHARED/faces/identities/John_Salley OTHER=$SHARED/faces/identities/John_Simm
elif [ -d "$CACHE/photos/astronaut" ]; then
  PERSON=$CACHE/photos/astronaut OTHER=$CACHE/photos/others
else
  die "no photos: name two folders, or run scripts/setup.sh (it caches two photos)"
fi
mapfile -t PERSON_PHOTOS < <(find "$PERSON" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)
mapfile -t OTHER_PHOTOS < <(find "$OTHER" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)
[ ${#PERSON_PHOTOS[@]} -ge 1 ] || die "no photos in $PERSON"
[ ${#OTHER_PHOTOS[@]} -ge 1 ] || die "no photos in $OTHER"

FACEAUTHD=$BUILD/daemon/faceauthd
FACEAUTHCTL=$BUILD/client/faceauthctl
PAM_MODULE=$BUILD/pam/pam_faceauth.so
for f in "$FACEAUTHD" "$FACEAUTHCTL" "$PAM_MODULE"; do
  [ -x "$f" ] || [ -f "$f" ] || die "$f is missing; run scripts/setup.sh first"
done
command -v pamtester >/dev/null || die "pamtester is missing; run scripts/setup.sh first"
PAM_WRAPPER_LIB=$(find_lib libpam_wrapper.so)
PAM_MATRIX=$(find_lib pam_wrapper/pam_matrix.so)
PAM_DENY=$(find_lib security/pam_deny.so)
PAM_PERMIT=$(find_lib security/pam_permit.so)

DEMO_USER=${SUDO_USER:-root}
DEMO_PASSWORD=demo-password
DEMO=$BUILD/demo
rm -rf "$DEMO"
mkdir -p "$DEMO"/{bus,state,camera,pam.d}
chmod 700 "$DEMO/state"

# Enrollment sees the first photos; verification the rest (or all of them when
# there is only one). The camera folder is read afresh for every job.
n=${#PERSON_PHOTOS[@]}
if [ "$n" -ge 4 ]; then ENROLL=("${PERSON_PHOTOS[@]:0:3}") GENUINE=("${PERSON_PHOTOS[@]:3}")
else ENROLL=("${PERSON_PHOTOS[@]}") GENUINE=("${PERSON_PHOTOS[@]}"); fi
show() {  # show PHOTO... : the camera shows these photos, looping like a live camera
  rm -f "$DEMO/camera"/*
  local i=0 p
  for p in "$@"; do ln -s "$p" "$DEMO/camera/$(printf '%03d' $i)_$(basename "$p")"; i=$((i + 1)); done
}

cat > "$DEMO/bus/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$DEMO/bus/socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <include>$ROOT/dbus/org.faceauth.FaceAuth1.conf</include>
</busconfig>
CONF
cat > "$DEMO/faceauth.conf" <<CONF
camera = dir:$DEMO/camera?fps=15&loop=1
state_dir = $DEMO/state
model_dir = $CACHE/models
enroll_frames = 3
verify_timeout_seconds = 4
CONF
printf '%s:%s:faceauth-demo\n' "$DEMO_USER" "$DEMO_PASSWORD" > "$DEMO/passdb"
cat > "$DEMO/pam.d/faceauth-demo" <<CONF
auth     [success=2 default=ignore]  $PAM_MODULE timeout=6
auth     [success=1 default=ignore]  $PAM_MATRIX passdb=$DEMO/passdb
auth     requisite                   $PAM_DENY
auth     required                    $PAM_PERMIT
account  optional                    $PAM_MODULE timeout=6
account  required                    $PAM_PERMIT
CONF
printf 'auth required %s\naccount required %s\n' "$PAM_DENY" "$PAM_DENY" > "$DEMO/pam.d/other"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${SUDO_UID:-}" ] && chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$DEMO" 2>/dev/null || true
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { echo $(( ($(now) - $1) / 1000000 )); }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
result() { printf '\033[1m-> %s (%s ms)\033[0m\n' "$1" "$2"; }

step "1. private bus and faceauthd (camera: photos from $PERSON)"
t=$(now)
dbus-daemon --config-file="$DEMO/bus/bus.conf" --nofork --print-address > "$DEMO/bus/address" 2> "$DEMO/bus/log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$DEMO/bus/address" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$DEMO/bus/socket
FACEAUTH_LOG_STDERR=1 "$FACEAUTHD" --config "$DEMO/faceauth.conf" 2> "$DEMO/faceauthd.log" &
PIDS+=($!)
for _ in $(seq 200); do
  busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" status org.faceauth.FaceAuth1 >/dev/null 2>&1 && break
  sleep 0.05
done
"$FACEAUTHCTL" status || die "faceauthd did not start; see $DEMO/faceauthd.log"
result "daemon ready" "$(ms "$t")"

step "2. enroll $DEMO_USER: the notice is shown, consent and age confirmed by typing yes"
show "${ENROLL[@]}"
t=$(now)
printf 'yes\nyes\n' | "$FACEAUTHCTL" --no-ask-password enroll --user "$DEMO_USER" --label demo
result "enrolled" "$(ms "$t")"
"$FACEAUTHCTL" list --user "$DEMO_USER"

PAMENV=(env LD_PRELOAD="$PAM_WRAPPER_LIB" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$DEMO/pam.d")

step "3. log in as $DEMO_USER, the camera shows $DEMO_USER's face (pamtester, real PAM module)"
show "${GENUINE[@]}"
t=$(now)
if "${PAMENV[@]}" pamtester -v faceauth-demo "$DEMO_USER" authenticate < /dev/null; then
  result "authenticated by face, no password asked" "$(ms "$t")"
else
  result "face login FAILED" "$(ms "$t")"; exit 1
fi

step "4. log in as $DEMO_USER, the camera shows someone else: the password is asked"
show "${OTHER_PHOTOS[@]}"
t=$(now)
if printf '%s\n' "$DEMO_PASSWORD" | "${PAMENV[@]}" pamtester -v faceauth-demo "$DEMO_USER" authenticate acct_mgmt; then
  result "face refused, authenticated by password; the account step cleared the failure count" "$(ms "$t")"
else
  result "password fallback FAILED" "$(ms "$t")"; exit 1
fi

step "5. what is stored about $DEMO_USER (metadata only; never images or templates)"
"$FACEAUTHCTL" my-data --user "$DEMO_USER" | head -40
printf '\nDemo files (store, logs, PAM service) are in %s.\n' "$DEMO"
