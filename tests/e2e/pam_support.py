"""Helpers for the PAM end-to-end tests (tests/e2e/test_pam.py), on top of harness.py.

The real pam_faceauth.so runs inside real libpam: the test-only program
faceauth-pam-driver calls pam_start/pam_authenticate/pam_acct_mgmt under
pam_wrapper (LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1
PAM_WRAPPER_SERVICE_DIR=<dir>), so the service file comes from a temporary
directory and nothing under /etc/pam.d is touched. The driver prints every
conversation event as a JSON line with the time since pam_authenticate()
began, which is what the timing assertions use.

Environment (set by tests/e2e/pam_tests.cmake; defaults for a build in build/):
  PAM_FACEAUTH           path of pam_faceauth.so
  FACEAUTH_PAM_DRIVER    path of faceauth-pam-driver
  FACEAUTH_FAKE_DAEMON   path of faceauth-fake-daemon
"""

import json
import os
import shutil
import subprocess
import time

import harness

BUILD_PAM = os.path.join(harness.SOURCE_DIR, "build", "pam")
PAM_FACEAUTH = os.environ.get("PAM_FACEAUTH") or os.path.join(BUILD_PAM, "pam_faceauth.so")
PAM_DRIVER = os.environ.get("FACEAUTH_PAM_DRIVER") or os.path.join(BUILD_PAM, "faceauth-pam-driver")
FAKE_DAEMON = os.environ.get("FACEAUTH_FAKE_DAEMON") or os.path.join(BUILD_PAM, "faceauth-fake-daemon")

SERVICE = "faceauth-test"
PASSWORD = "correct horse"


def _multiarch_dirs():
    dirs = []
    try:
        arch = subprocess.run(["gcc", "-print-multiarch"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        if arch:
            dirs += ["/usr/lib/" + arch, "/lib/" + arch]
    except OSError:
        pass
    return dirs + ["/usr/lib64", "/usr/lib", "/lib64", "/lib"]


def find_lib(*relative):
    for d in _multiarch_dirs():
        for r in relative:
            p = os.path.join(d, r)
            if os.path.exists(p):
                return p
    return None


PAM_WRAPPER_LIB = find_lib("libpam_wrapper.so", "libpam_wrapper.so.0")
PAM_MATRIX = find_lib("pam_wrapper/pam_matrix.so")
PAM_UNIX = find_lib("security/pam_unix.so")
PAM_DENY = find_lib("security/pam_deny.so")
PAM_PERMIT = find_lib("security/pam_permit.so")


def missing_tools():
    """Names of what the PAM tests need and cannot find (empty when all is there)."""
    need = {"pam_faceauth.so (set PAM_FACEAUTH)": PAM_FACEAUTH,
            "faceauth-pam-driver (set FACEAUTH_PAM_DRIVER)": PAM_DRIVER,
            "faceauth-fake-daemon (set FACEAUTH_FAKE_DAEMON)": FAKE_DAEMON}
    out = [k for k, v in need.items() if not v or not os.path.exists(v)]
    for name, path in (("libpam_wrapper.so (libpam-wrapper)", PAM_WRAPPER_LIB),
                       ("pam_matrix.so (libpam-wrapper)", PAM_MATRIX),
                       ("pam_unix.so", PAM_UNIX), ("pam_deny.so", PAM_DENY),
                       ("pam_permit.so", PAM_PERMIT)):
        if not path:
            out.append(name)
    return out


class PamRun:
    """The events of one PAM transaction, as printed by faceauth-pam-driver."""

    def __init__(self, stdout, stderr, returncode, elapsed):
        self.stdout, self.stderr, self.returncode, self.elapsed = stdout, stderr, returncode, elapsed
        self.events = []
        for line in stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.events.append(json.loads(line))
                except ValueError:
                    pass

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]

    def rc(self, phase="authenticate"):
        ev = self.of(phase)
        return ev[0]["name"] if ev else None

    @property
    def prompts(self):
        return self.of("prompt")

    @property
    def messages(self):
        """(kind, text) of every info and error message, in order."""
        return [(e["event"], e["text"]) for e in self.events if e["event"] in ("info", "error")]

    def texts(self):
        return [t for _, t in self.messages]

    def __repr__(self):
        return "PamRun(exit=%s, events=%s, stderr=%r)" % (
            self.returncode, json.dumps(self.events), self.stderr[-2000:])


class PamMixin:
    """For harness.FaceAuthTestCase subclasses: a PAM service directory of the
    test's own and ways to run the driver against the test's private bus."""

    def pam_setup(self):
        self.pam_dir = os.path.join(self.root, "pam.d")
        os.makedirs(self.pam_dir, exist_ok=True)
        self.passdb = os.path.join(self.root, "passdb")

    def write_passdb(self, entries):
        """entries: {user: password}; pam_matrix's format is user:password:service."""
        with open(self.passdb, "w") as f:
            for user, pw in entries.items():
                f.write("%s:%s:%s\n" % (user, pw, SERVICE))

    def write_service(self, auth_options="", password_module="matrix", account=True,
                      service=SERVICE):
        """The stack pam-auth-update builds on Debian: faceauth first, jumping
        over the password module on success; then the password module, then
        pam_deny / pam_permit."""
        if password_module == "matrix":
            pw_line = "auth [success=1 default=ignore] %s passdb=%s" % (PAM_MATRIX, self.passdb)
        else:
            pw_line = "auth [success=1 default=ignore] %s try_first_pass" % PAM_UNIX
        lines = [
            "auth [success=2 default=ignore] %s %s" % (PAM_FACEAUTH, auth_options),
            pw_line,
            "auth requisite %s" % PAM_DENY,
            "auth required %s" % PAM_PERMIT,
        ]
        if account:
            lines += ["account optional %s %s" % (PAM_FACEAUTH, auth_options),
                      "account required %s" % PAM_PERMIT]
        self.write_service_lines(service, lines)

    def write_service_lines(self, service, lines):
        with open(os.path.join(self.pam_dir, service), "w") as f:
            f.write("\n".join(lines) + "\n")
        other = os.path.join(self.pam_dir, "other")
        if not os.path.exists(other):     # libpam wants a fallback service
            with open(other, "w") as f:
                f.write("auth required %s\naccount required %s\n" % (PAM_DENY, PAM_DENY))

    def write_only_service(self, auth_options="", service="faceauth-only"):
        """pam_faceauth alone ("required"), so the stack's result is the module's own
        return code, except that PAM_IGNORE surfaces as PAM_PERM_DENIED ("Permission
        denied"): libpam's answer when no module gave a verdict."""
        self.write_service_lines(service, ["auth required %s %s" % (PAM_FACEAUTH, auth_options)])

    def driver_env(self, bus_address=None, extra=None, wrapper=True):
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
        }
        if bus_address is not False:
            env["DBUS_SYSTEM_BUS_ADDRESS"] = bus_address or self.address
        if wrapper:
            env.update({"LD_PRELOAD": PAM_WRAPPER_LIB, "PAM_WRAPPER": "1",
                        "PAM_WRAPPER_SERVICE_DIR": self.pam_dir})
        env.update(extra or {})
        return env

    def driver_cmd(self, user, answers=(), account=False, rhost=None, tty=None, service=SERVICE):
        """answers: each "TEXT" (answered at once) or (delay_ms, "TEXT")."""
        cmd = [PAM_DRIVER]
        for a in answers:                       # "TEXT" or (delay_ms, "TEXT")
            ms, text = a if isinstance(a, tuple) else (0, a)
            cmd += ["--answer", "%d:%s" % (ms, text)]
        if account:
            cmd.append("--account")
        if rhost is not None:
            cmd += ["--rhost", rhost]
        if tty is not None:
            cmd += ["--tty", tty]
        return cmd + [service, user]

    def run_pam(self, user, answers=(), account=False, rhost=None, tty=None, env=None,
                bus_address=None, timeout=60, prefix=(), service=SERVICE, check=True):
        """Run one transaction to its end (check: assert the driver exited 0)."""
        cmd = list(prefix) + self.driver_cmd(user, answers, account, rhost, tty, service)
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", env=self.driver_env(bus_address, env), timeout=timeout)
        run = PamRun(p.stdout, p.stderr, p.returncode, time.monotonic() - t0)
        if check:
            self.assertEqual(p.returncode, 0, "driver failed: %r" % run)
        return run

    def start_pam(self, user, answers=(), account=False, env=None, bus_address=None, service=SERVICE):
        """Start a transaction in the background; returns a PamProcess."""
        return PamProcess(self.driver_cmd(user, answers, account, service=service),
                          self.driver_env(bus_address, env))


class PamProcess:
    def __init__(self, cmd, env):
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, errors="replace", env=env)
        self.lines = []

    def wait_for(self, text, seconds=30):
        """Read events until one carries `text`; returns it (None at EOF/timeout)."""
        import select
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            line = self.proc.stdout.readline()
            if not line:
                return None
            self.lines.append(line)
            if text in line:
                return json.loads(line)
        return None

    def finish(self, timeout=60):
        out, err = self.proc.communicate(timeout=timeout)
        return PamRun("".join(self.lines) + out, err, self.proc.returncode, time.monotonic() - self.t0)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


class FakeDaemon:
    """faceauth-fake-daemon as `user` on the bus at `address`."""

    def __init__(self, address, user):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": address}
        self.proc = subprocess.Popen(harness.as_user_prefix(user) + [FAKE_DAEMON],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError("faceauth-fake-daemon did not start: %r %s" % (line, err))

    def stop(self):
        harness.stop_process(self.proc)
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()


PERMISSIVE_POLICY = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- A deliberately misconfigured bus: anybody may own org.faceauth.FaceAuth1. -->
<busconfig>
  <policy context="default">
    <allow own="org.faceauth.FaceAuth1"/>
    <allow send_destination="org.faceauth.FaceAuth1"/>
  </policy>
</busconfig>
"""


def ensure_password_user(name, password):
    """A throwaway system account with a known password, for pam_unix."""
    if subprocess.run(["getent", "passwd", name], stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        name], check=True)
    subprocess.run(["chpasswd"], input="%s:%s\n" % (name, password), text=True, check=True)


def remove_user(name):
    subprocess.run(["userdel", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tamper_template(test, template_id):
    """Flip one ciphertext byte of a stored template while the daemon is stopped,
    as tests/e2e/test_breach.py does (an attacker with write access to the file)."""
    def flip(db):
        (ct,) = db.execute("SELECT ciphertext FROM templates WHERE id = ?", (template_id,)).fetchone()
        ct = bytearray(ct)
        ct[10] ^= 0x01
        db.execute("UPDATE templates SET ciphertext = ? WHERE id = ?", (bytes(ct), template_id))
    test.tamper_store(flip)


def which(tool):
    return shutil.which(tool)
