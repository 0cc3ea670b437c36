"""End-to-end test harness for faceauthd (Python 3 standard library only).

Every test gets its own world:
  * a private dbus-daemon whose configuration is system-bus-like (type
    system, EXTERNAL auth, deny-by-default policy copied from Debian's
    /usr/share/dbus-1/system.conf, no <includedir>) and which <include>s the
    project's own dbus/org.faceauth.FaceAuth1.conf, so the policy under test
    is the one that gets installed;
  * the real faceauthd, run as the system user "faceauth" (created here
    exactly as the project's sysusers.d entry would create it), with a fresh
    state directory, a "camera" that is a folder of photos (dir: source),
    a notice file and a configuration file, all in a temporary directory;
  * calls made with busctl as root or, through setpriv, as an unprivileged
    uid, so the daemon sees real peer credentials.

Environment (set by tests/e2e/e2e_tests.cmake under CTest; defaults work from
a source checkout whose build directory is build/):
  FACEAUTHD            path of the faceauthd binary
  FACEAUTH_MODEL_DIR   dlib model files
  FACEAUTH_SHARED_DIR  the folder holding faces/ (photos are never committed)
  FACEAUTH_SOURCE_DIR  the repository (for the bus policy and the XML)
  FACEAUTH_E2E_KEEP=1  keep the temporary directories of failed tests

Test files call harness.main(), which prints "N passed, N failed[, N skipped]"
as the last line and exits non-zero on failure (77 when everything skipped).
"""

import atexit
import json
import os
import pwd
import grp
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FACEAUTH_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
SHARED_DIR = os.environ.get("FACEAUTH_SHARED_DIR") or os.path.join(os.path.dirname(SOURCE_DIR), "shared")
FACES_DIR = os.path.join(SHARED_DIR, "faces")
FACEAUTHD = os.environ.get("FACEAUTHD") or os.path.join(SOURCE_DIR, "build", "daemon", "faceauthd")
MODEL_DIR = os.environ.get("FACEAUTH_MODEL_DIR") or os.path.expanduser("~/.cache/faceauth/models")
POLICY_FILE = os.path.join(SOURCE_DIR, "dbus", "org.faceauth.FaceAuth1.conf")
INTERFACE_XML = os.path.join(SOURCE_DIR, "dbus", "org.faceauth.FaceAuth1.xml")

BUS_NAME = "org.faceauth.FaceAuth1"
OBJECT_PATH = "/org/faceauth/FaceAuth1"
INTERFACE = "org.faceauth.FaceAuth1"
SERVICE_USER = "faceauth"
UNPRIVILEGED_USER = "nobody"

MODEL_FILES = (
    "dlib_face_recognition_resnet_model_v1.dat",
    "shape_predictor_5_face_landmarks.dat",
    "mmod_human_face_detector.dat",
    "faceplugin_fr_feature.onnx",
    "faceplugin_fr_liveness.onnx",
)

NAME_WAIT_SECONDS = 30.0      # daemon start-up: models load in ~0.4 s, leave room for slow CI
STOP_WAIT_SECONDS = 10.0


# --------------------------------------------------------------------------- photos

def faces_available():
    return os.path.isdir(os.path.join(FACES_DIR, "identities"))


def skip_without_faces(reason="needs the shared face photos"):
    """Decorator: skip a test (or class) when $FACEAUTH_SHARED_DIR/faces is absent."""
    if faces_available():
        return lambda obj: obj
    return unittest.skip("%s: %s not found (set FACEAUTH_SHARED_DIR)" % (reason, FACES_DIR))


def identity_photos(name):
    folder = os.path.join(FACES_DIR, "identities", name)
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.lower().endswith((".jpg", ".jpeg", ".png")))


def scene_photo(name):
    return os.path.join(FACES_DIR, "scenes", name)


# --------------------------------------------------------------------------- users

def ensure_service_user():
    """Create the system user faceauth as the project's sysusers.d file would."""
    if subprocess.run(["getent", "passwd", SERVICE_USER], stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", SERVICE_USER], check=True)
    return pwd.getpwnam(SERVICE_USER)


def as_user_prefix(user):
    """Command prefix that runs the rest as `user` (None or "root": no prefix)."""
    if user is None or user == "root":
        return []
    pw = pwd.getpwnam(user)
    if user == UNPRIVILEGED_USER:
        return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups", "--"]
    return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--init-groups", "--"]


def readable_by(user, path):
    return subprocess.run(as_user_prefix(user) + ["test", "-r", path]).returncode == 0


_model_copy = None


def model_dir_for_service_user():
    """The model directory, or a world-readable copy when faceauth cannot read it
    (e.g. /root/.cache is behind /root, mode 0700). Hard links when possible."""
    global _model_copy
    if all(readable_by(SERVICE_USER, os.path.join(MODEL_DIR, f)) for f in MODEL_FILES):
        return MODEL_DIR
    if _model_copy is None:
        d = tempfile.mkdtemp(prefix="faceauth-e2e-models-")
        os.chmod(d, 0o755)
        for f in MODEL_FILES:
            src = os.path.join(MODEL_DIR, f)
            if not os.path.exists(src):
                continue
            try:
                os.link(src, os.path.join(d, f))
            except OSError:
                shutil.copyfile(src, os.path.join(d, f))
            os.chmod(os.path.join(d, f), 0o644)
        atexit.register(shutil.rmtree, d, True)
        _model_copy = d
    return _model_copy


# --------------------------------------------------------------------------- busctl arguments

class V:
    """A variant value for busctl: V("u", 5), V("s", "x"), V("b", True)."""

    def __init__(self, sig, value):
        self.sig, self.value = sig, value

    def __repr__(self):
        return "V(%r, %r)" % (self.sig, self.value)


def split_signature(sig):
    """'sa{sv}(ii)' -> ['s', 'a{sv}', '(ii)']"""
    out, i = [], 0
    while i < len(sig):
        j = _complete_type_end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def _complete_type_end(sig, i):
    c = sig[i]
    if c == "a":
        return _complete_type_end(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        j = i + 1
        while sig[j] != close:
            j = _complete_type_end(sig, j)
        return j + 1
    return i + 1


def busctl_encode(t, v):
    """Encode one value of D-Bus type t as busctl's command-line words."""
    if t == "b":
        return ["true" if v else "false"]
    if t == "v":
        if not isinstance(v, V):
            raise TypeError("a variant needs V(sig, value), got %r" % (v,))
        return [v.sig] + busctl_encode(v.sig, v.value)
    if t.startswith("a{"):
        kt, vt = split_signature(t[2:-1])
        pairs = list(v.items()) if isinstance(v, dict) else list(v)   # a list allows duplicate keys
        words = [str(len(pairs))]
        for key, val in pairs:
            words += busctl_encode(kt, key) + busctl_encode(vt, val)
        return words
    if t.startswith("a"):
        words = [str(len(v))]
        for item in v:
            words += busctl_encode(t[1:], item)
        return words
    if t.startswith("("):
        words = []
        for mt, mv in zip(split_signature(t[1:-1]), v):
            words += busctl_encode(mt, mv)
        return words
    return [str(v)]


def busctl_args(sig, args):
    types = split_signature(sig)
    if len(types) != len(args):
        raise TypeError("signature %r wants %d arguments, got %d" % (sig, len(types), len(args)))
    words = [sig] if sig else []
    for t, a in zip(types, args):
        words += busctl_encode(t, a)
    return words


def plain(value):
    """busctl JSON a{sv} ({"k": {"type": "u", "data": 3}}) -> {"k": 3}"""
    if isinstance(value, dict) and set(value) == {"type", "data"}:
        return plain(value["data"])
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- replies

_SENT_RE = re.compile(r"^Sent message type=method_call .*? member=(\S+) cookie=(\d+) ", re.M)
_ERR_RE = re.compile(r"^Got message type=error .*? reply_cookie=(\d+) signature=\S+ "
                     r"error-name=(\S+) error-message=(.*)$", re.M)


class Reply:
    """Outcome of one busctl call.

    ok       True when a method return arrived
    data     list of out arguments (parsed from busctl --json=short)
    error    D-Bus error name (None when ok); "busctl" when busctl itself failed
             before or without a D-Bus error (e.g. it refused to marshal)
    message  error message
    elapsed  wall time of the busctl process in seconds
    """

    def __init__(self, cmd, returncode, stdout, stderr, elapsed, method, raw=None):
        self.cmd, self.returncode, self.stderr = cmd, returncode, stderr
        self.stdout = stdout if raw is None else raw
        self.elapsed = elapsed
        self.data, self.error, self.message = None, None, None
        self.ok = returncode == 0
        if self.ok:
            out = stdout.strip()
            self.data = json.loads(out)["data"] if out else []
            return
        cookies = [c for m, c in _SENT_RE.findall(stderr) if m == method]
        for reply_cookie, name, msg in _ERR_RE.findall(stderr):
            if not cookies or reply_cookie == cookies[-1]:
                self.error, self.message = name, msg
        if self.error is None:
            self.error = "busctl"
            lines = [l for l in stderr.splitlines()
                     if not l.startswith(("Bus ", "sd-bus:", "Sent message", "Got message"))]
            self.message = "\n".join(lines).strip() or ("busctl exited with %d" % returncode)

    def __repr__(self):
        if self.ok:
            return "Reply(ok, %s)" % json.dumps(self.data)
        return "Reply(error=%s, message=%r)" % (self.error, self.message)


# --------------------------------------------------------------------------- private bus

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Generated by tests/e2e/harness.py: a private system-like bus. -->
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


# A sanitized build (scripts/sanitize.sh) tells the daemon and the client how
# to report through these; the harness passes them on and fails a test whose
# daemon log holds a report.
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")
SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |SUMMARY: UndefinedBehaviorSanitizer")


def sanitizer_env():
    return {k: os.environ[k] for k in SANITIZER_ENV if k in os.environ}


def stop_process(proc, seconds=5):
    """Terminate `proc`, killing it if it has not ended within `seconds`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class PrivateBus:
    def __init__(self, directory, policy_file=POLICY_FILE):
        self.directory = directory
        self.config = os.path.join(directory, "bus.conf")
        self.socket = os.path.join(directory, "system_bus_socket")
        self.log_path = os.path.join(directory, "dbus-daemon.log")
        with open(self.config, "w") as f:
            f.write(BUS_CONFIG.format(socket=self.socket, policy=policy_file))
        self.proc = None
        self.address = None

    def start(self):
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + self.config, "--nofork", "--print-address"],
            stdout=subprocess.PIPE, stderr=self._log, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("unix:"):
            self.stop()
            raise RuntimeError("dbus-daemon did not start: %r\n%s" % (line, self.log()))
        self.address = line
        return self.address

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        self.proc = None


# --------------------------------------------------------------------------- calls

def busctl(address, args, as_user=None, debug=True, timeout=30, method=None, parse=True, options=()):
    """Run busctl --address=... ARGS, as `as_user`; returns Reply (parse=False: leave
    the output in Reply.stdout, for commands whose output is not JSON)."""
    # "--": an argument starting with '-' (a user name under test) is not an option
    cmd = as_user_prefix(as_user) + ["busctl", "--address=" + address, "--json=short",
                                     "--timeout=%d" % timeout] + list(options) + ["--"] + list(args)
    env = dict(os.environ)
    env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
    if debug:
        env["SYSTEMD_LOG_LEVEL"] = "debug"   # sd-bus logs the error name of a failed call
    else:
        env.pop("SYSTEMD_LOG_LEVEL", None)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace", env=env, timeout=timeout + 15)
    return Reply(cmd, p.returncode, p.stdout if parse else "", p.stderr, time.monotonic() - t0,
                 method, raw=p.stdout)


def call_cmd(address, method, sig="", args=(), as_user=None, timeout=30,
             interface=INTERFACE, path=OBJECT_PATH, dest=BUS_NAME):
    return (["call", dest, path, interface, method] + busctl_args(sig, list(args)))


class AsyncCall:
    """A busctl call running in the background (for disconnect and timing tests)."""

    def __init__(self, address, method, sig="", args=(), as_user=None, timeout=60):
        self.method = method
        self.cmd = as_user_prefix(as_user) + [
            "busctl", "--address=" + address, "--json=short", "--timeout=%d" % timeout, "--",
        ] + call_cmd(address, method, sig, args)
        env = dict(os.environ, SYSTEMD_LOG_LEVEL="debug")
        self.t0 = time.monotonic()
        # busctl gets its own process group so kill() reaches it through setpriv
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, errors="replace", env=env, start_new_session=True)

    def kill(self):
        """Disconnect abruptly: SIGKILL busctl (the socket closes, nothing is said)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.communicate()

    def running(self):
        return self.proc.poll() is None

    def result(self, timeout=90):
        out, err = self.proc.communicate(timeout=timeout)
        return Reply(self.cmd, self.proc.returncode, out, err, time.monotonic() - self.t0, self.method)


# --------------------------------------------------------------------------- the daemon

class Daemon:
    def __init__(self, address, config_path, log_path, binary=FACEAUTHD, user=SERVICE_USER,
                 extra_env=None):
        self.address, self.config_path, self.log_path = address, config_path, log_path
        self.binary, self.user = binary, user
        self.extra_env = dict(extra_env or {})   # e.g. the emulated camera's LD_PRELOAD
        self.proc = None
        self.returncode = None

    def start(self, wait=True):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("faceauthd not found at %s (set FACEAUTHD)" % self.binary)
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "DBUS_SYSTEM_BUS_ADDRESS": self.address,
        }
        env.update(sanitizer_env())
        env.update(self.extra_env)
        if "LD_PRELOAD" in self.extra_env and "ASAN_OPTIONS" in env:
            # a preloaded library comes before the sanitizer runtime
            env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        self._log = open(self.log_path, "a")
        self._log.write("---- faceauthd started by the e2e harness as %s ----\n" % self.user)
        self._log.flush()
        self.proc = subprocess.Popen(
            as_user_prefix(self.user) + [self.binary, "--config", self.config_path],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, env=env,
            cwd="/")
        self.returncode = None
        if wait:
            self.wait_for_name()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def name_owned(self):
        r = busctl(self.address, ["call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "NameHasOwner", "s", BUS_NAME],
                   debug=False, timeout=5)
        return r.ok and r.data == [True]

    def wait_for_name(self, seconds=NAME_WAIT_SECONDS):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.returncode = self.proc.returncode
                raise RuntimeError("faceauthd exited with %s before owning %s; its output:\n%s"
                                   % (self.proc.returncode, BUS_NAME, self.log()))
            if self.name_owned():
                return
            time.sleep(0.05)
        raise RuntimeError("faceauthd did not own %s within %.0f s; its output:\n%s"
                           % (BUS_NAME, seconds, self.log()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Stop the daemon; returns its exit status (negative: killed by a signal)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)   # setpriv exec()s, so this is faceauthd itself
            try:
                self.proc.wait(STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._log.write("---- harness: faceauthd ignored SIGTERM for %.0f s, killed ----\n"
                                % STOP_WAIT_SECONDS)
        self.returncode = self.proc.returncode
        self._log.close()
        self.proc = None
        return self.returncode


# --------------------------------------------------------------------------- test case base

# A slower build (scripts/sanitize.sh: dlib's templates compiled with ASan)
# scales the default verification timeout by FACEAUTH_E2E_TIME_SCALE.
TIME_SCALE = max(1.0, float(os.environ.get("FACEAUTH_E2E_TIME_SCALE", "1")))

DEFAULT_CONFIG = {
    "verify_timeout_seconds": str(int(round(5 * TIME_SCALE))),
    "frames_needed": "2",
    "frames_window": "10",
    "enroll_frames": "5",
    "lockout_attempts": "5",
    "lockout_seconds": "300",
    "min_face_pixels": "40",   # the identity photos are 150x150
}

NOTICE_TEXT = """faceauth e2e test notice

Who processes your data: the administrator of this test machine.
Purpose: authentication on this machine only. Stored: numeric templates, never images.
Retention: 365 days. See, withdraw and delete at any time: faceauthctl my-data / withdraw.
"""


class FaceAuthTestCase(unittest.TestCase):
    """Base class: a private bus and a running faceauthd per test.

    Class attributes:
      CONFIG          extra/overriding configuration keys (dict of str)
      CAMERA_OPTIONS  the part after '?' in camera = dir:...?OPTIONS ("" for none)
      NEEDS_FACES     skip when the shared photos are absent (default True)
      START_DAEMON    start faceauthd in setUp (default True)
    """

    CONFIG = {}
    CAMERA_OPTIONS = ""
    NEEDS_FACES = True
    START_DAEMON = True

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("the e2e tests run as root (they create the faceauth user "
                                    "and switch uids with setpriv)")
        if cls.NEEDS_FACES and not faces_available():
            raise unittest.SkipTest("needs the shared face photos: %s not found "
                                    "(set FACEAUTH_SHARED_DIR)" % FACES_DIR)
        for tool in ("dbus-daemon", "busctl", "setpriv"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.service_pw = ensure_service_user()

    def setUp(self):
        self._result_counts = self._failure_count()
        self.root = tempfile.mkdtemp(prefix="faceauth-e2e-")
        os.chmod(self.root, 0o755)             # unprivileged clients must reach the socket
        self.addCleanup(self._cleanup_root)
        bus_dir = os.path.join(self.root, "bus")
        os.mkdir(bus_dir)
        os.chmod(bus_dir, 0o755)
        self.bus = PrivateBus(bus_dir, policy_file=self._bus_policy(bus_dir))
        self.address = self.bus.start()
        self.addCleanup(self.bus.stop)

        self.state_dir = os.path.join(self.root, "state")
        os.mkdir(self.state_dir, 0o700)
        os.chown(self.state_dir, self.service_pw.pw_uid, self.service_pw.pw_gid)
        self.camera_dir = os.path.join(self.root, "camera")
        os.mkdir(self.camera_dir)
        os.chmod(self.camera_dir, 0o755)
        self.notice_path = os.path.join(self.root, "notice.txt")
        with open(self.notice_path, "w") as f:
            f.write(NOTICE_TEXT)
        os.chmod(self.notice_path, 0o644)
        self.config_path = os.path.join(self.root, "faceauth.conf")
        self.write_config()
        self.daemon = Daemon(self.address, self.config_path, os.path.join(self.root, "faceauthd.log"),
                             extra_env=self.daemon_env())
        self.addCleanup(self._stop_daemon)
        if self.START_DAEMON:
            self.start_daemon()

    # -- plumbing

    # Further bus policy files the private bus includes beside the project's
    # own (e.g. polkitd's, for tests that start polkitd on this bus).
    EXTRA_BUS_POLICIES = ()

    def _bus_policy(self, bus_dir):
        if not self.EXTRA_BUS_POLICIES:
            return POLICY_FILE
        path = os.path.join(bus_dir, "policies.conf")
        with open(path, "w") as f:
            f.write('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
                    ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n<busconfig>\n')
            for p in (POLICY_FILE,) + tuple(self.EXTRA_BUS_POLICIES):
                f.write("  <include>%s</include>\n" % p)
            f.write("</busconfig>\n")
        return path

    def _failure_count(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return 0
        return len(result.failures) + len(result.errors)

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(outcome, "errors", None)      # Python <= 3.10
        if errors:
            return any(exc for _, exc in errors)
        return self._failure_count() > self._result_counts or not getattr(outcome, "success", True)

    def _stop_daemon(self):
        self.daemon.stop()
        report = SANITIZER_REPORT.search(self.daemon.log())
        if report:
            log = self.daemon.log()
            self.fail("faceauthd reported a sanitizer error:\n" + log[max(0, report.start() - 200):][:6000])

    def _cleanup_root(self):
        if self._failed():
            sys.stdout.write("\n---- faceauthd output (%s) ----\n%s---- end ----\n"
                             % (self.id(), self.daemon.log()[-6000:]))
            bus_log = "".join(l for l in self.bus.log().splitlines(True)
                              if "Failed to set fd limit" not in l)
            if bus_log.strip():
                sys.stdout.write("---- dbus-daemon output ----\n%s---- end ----\n" % bus_log[-2000:])
            if os.environ.get("FACEAUTH_E2E_KEEP") == "1":
                sys.stdout.write("kept %s\n" % self.root)
                return
        shutil.rmtree(self.root, ignore_errors=True)

    def daemon_env(self):
        """Environment the daemon gets beyond the harness's own (subclasses add to it)."""
        return {}

    def config_values(self):
        cfg = {
            "camera": "dir:" + self.camera_dir + ("?" + self.CAMERA_OPTIONS if self.CAMERA_OPTIONS else ""),
            "state_dir": self.state_dir,
            "model_dir": model_dir_for_service_user(),
            "notice_path": self.notice_path,
        }
        cfg.update(DEFAULT_CONFIG)
        cfg.update(self.CONFIG)
        return cfg

    def write_config(self, **overrides):
        cfg = self.config_values()
        cfg.update({k: str(v) for k, v in overrides.items()})
        with open(self.config_path, "w") as f:
            f.write("# generated by tests/e2e/harness.py\n")
            for k, v in cfg.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))
        os.chmod(self.config_path, 0o644)

    def start_daemon(self):
        self.daemon.start()

    def tamper_store(self, change):
        """Change the store as an attacker with write access to its file would:
        the daemon is stopped, change(sqlite3 connection) runs and is committed,
        the files are given back to the service user, the daemon is started."""
        import sqlite3
        self.daemon.stop()
        db = sqlite3.connect(os.path.join(self.state_dir, "store.db"))
        try:
            change(db)
            db.commit()
        finally:
            db.close()
        for name in os.listdir(self.state_dir):
            os.chown(os.path.join(self.state_dir, name), self.service_pw.pw_uid, self.service_pw.pw_gid)
        self.daemon.start()

    def restart_daemon(self):
        code = self.daemon.stop()
        self.daemon.start()
        return code

    # -- the camera

    def set_camera(self, photos, repeat=1):
        """Make the camera folder show exactly `photos` (copied, in this order)."""
        for f in os.listdir(self.camera_dir):
            os.unlink(os.path.join(self.camera_dir, f))
        n = 0
        for _ in range(repeat):
            for p in photos:
                dst = os.path.join(self.camera_dir, "%04d_%s" % (n, os.path.basename(p)))
                shutil.copyfile(p, dst)
                os.chmod(dst, 0o644)
                n += 1
        return n

    # -- calls

    def call(self, method, sig="", *args, as_user=None, timeout=30, interface=INTERFACE,
             path=OBJECT_PATH, dest=BUS_NAME, debug=True):
        return busctl(self.address, call_cmd(self.address, method, sig, args, interface=interface,
                                             path=path, dest=dest),
                      as_user=as_user, debug=debug, timeout=timeout, method=method)

    def call_async(self, method, sig="", *args, as_user=None, timeout=60):
        return AsyncCall(self.address, method, sig, args, as_user=as_user, timeout=timeout)

    def ok(self, reply, what=""):
        """Assert a method return and give its data."""
        self.assertTrue(reply.ok, "%s: expected a method return, got %s" % (what or reply.cmd, reply))
        return reply.data

    def assertDBusError(self, reply, name, what=""):
        self.assertFalse(reply.ok, "%s: expected %s, got a method return %s" % (what, name, reply))
        self.assertEqual(reply.error, name, "%s: expected %s, got %s: %s"
                         % (what, name, reply.error, reply.message))

    def status(self, as_user=None):
        return plain(self.ok(self.call("Status", as_user=as_user), "Status")[0])

    def assertDaemonAnswers(self, what=""):
        self.assertTrue(self.daemon.alive(), "%s: faceauthd is no longer running:\n%s"
                        % (what, self.daemon.log()[-3000:]))
        r = self.call("Status")
        self.assertTrue(r.ok, "%s: Status after it failed: %s" % (what, r))

    def verify(self, user, timeout=None, as_user=None):
        """Verify(user) -> (result, plain details dict)."""
        opts = {} if timeout is None else {"timeout": V("u", timeout)}
        r = self.call("Verify", "sa{sv}", user, opts, as_user=as_user,
                      timeout=(timeout or 60) + 30)
        data = self.ok(r, "Verify(%r)" % user)
        return data[0], plain(data[1])

    def notice_id(self):
        return self.ok(self.call("GetNotice", "s", ""), "GetNotice")[0]

    def enroll(self, user, photos, label="e2e", as_user=None, wait=120):
        """Enroll `user` from `photos` (the camera shows them). Returns
        (result, message, template_id, progress list) from EnrollFinished."""
        self.set_camera(photos)
        nid = self.notice_id()
        with SignalMonitor(self.address) as mon:
            r = self.call("Enroll", "ssa{sv}", user, nid,
                          {"confirm_age": V("b", True), "label": V("s", label),
                           "method": V("s", "tests/e2e harness")}, as_user=as_user)
            job = self.ok(r, "Enroll(%r)" % user)[0]
            progress, finished = [], None
            deadline = time.monotonic() + wait
            while finished is None and time.monotonic() < deadline:
                msg = mon.next(deadline - time.monotonic())
                if msg is None:
                    break
                if msg.get("interface") != INTERFACE:
                    continue
                data = msg.get("payload", {}).get("data", [])
                if msg.get("member") == "EnrollProgress" and data and data[0] == job:
                    progress.append(data[1:])
                elif msg.get("member") == "EnrollFinished" and data and data[0] == job:
                    finished = data[1:]
        self.assertIsNotNone(finished, "Enroll(%r): no EnrollFinished for %s within %d s"
                             % (user, job, wait))
        # No number derived from distances may reach the caller (a score oracle
        # for someone enrolling photos of a victim and a candidate fake).
        for text in [finished[1]] + [str(p) for p in progress]:
            self.assertIsNone(re.search(r"\d\.\d", text), "an enrollment message carries a number: %r" % text)
        return finished[0], finished[1], finished[2], progress


class SignalMonitor:
    """busctl monitor (root may monitor the private bus) for signals, as JSON lines.
    Ready only once it has seen a probe signal emitted after it started."""

    def __init__(self, address):
        self.address = address

    def __enter__(self):
        import threading, queue
        self.queue = queue.Queue()
        self.proc = subprocess.Popen(
            ["busctl", "--address=" + self.address, "--json=short", "monitor",
             "--match=type='signal'"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")

        def reader():
            for line in self.proc.stdout:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        self.queue.put(json.loads(line))
                    except ValueError:
                        pass
            self.queue.put(None)

        threading.Thread(target=reader, daemon=True).start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            busctl(self.address, ["emit", "/org/faceauth/e2e", "org.faceauth.e2e.Probe", "Ready"],
                   debug=False, timeout=5)
            msg = self.next(0.3)
            while msg is not None and msg.get("member") != "Ready":
                msg = self.next(0.3)
            if msg is not None:
                return self
            if self.proc.poll() is not None:
                break
        err = self.proc.stderr.read() if self.proc.poll() is not None else ""
        self.__exit__(None, None, None)
        raise RuntimeError("busctl monitor did not start: %s" % err)

    def next(self, timeout):
        import queue
        try:
            return self.queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def __exit__(self, *exc):
        stop_process(self.proc)
        return False


# --------------------------------------------------------------------------- main

def main(module="__main__"):
    """Run the tests of `module` (or those named on the command line) and print
    the closing "N passed, N failed[, N skipped]" line."""
    loader = unittest.defaultTestLoader
    mod = sys.modules[module]
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    suite = loader.loadTestsFromNames(names, mod) if names else loader.loadTestsFromModule(mod)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    # class-level skips (setUpClass raising SkipTest) are one entry for many tests:
    # count every test that did not run as skipped
    total = suite.countTestCases()
    # a test with failing subTests counts once
    failed_ids = {getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors
                  if isinstance(t, unittest.TestCase)}
    failed_ids |= {t.id() for t in result.unexpectedSuccesses}
    class_errors = sum(1 for t, _ in result.errors if not isinstance(t, unittest.TestCase))
    failed = len(failed_ids) + class_errors
    skipped_tests = sum(1 for t, _ in result.skipped if isinstance(t, unittest.TestCase))
    skipped = skipped_tests + max(0, total - result.testsRun)
    passed = max(0, result.testsRun - skipped_tests - len(failed_ids) - len(result.expectedFailures))
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    sys.stdout.flush()
    if failed:
        sys.exit(1)
    if passed == 0 and skipped:
        sys.exit(77)
    sys.exit(0)
