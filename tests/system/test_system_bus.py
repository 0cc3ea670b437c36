#!/usr/bin/env python3
"""The installed package on the real system bus, through real setuid sudo and su.

What it does, in order (every step prints what it saw):
  1. builds the .deb with CPack and installs it with `apt-get install ./faceauth_*.deb`,
     so its dependencies come from the archive;
  2. starts the system bus as Debian configures it (`dbus-daemon --system`,
     /run/dbus/system_bus_socket) unless one answers, and shows that the first call
     starts faceauthd through D-Bus activation as the user `faceauth` (without
     systemd, dbus-daemon's launch helper reads the activation file's Exec= and User=);
  3. points the daemon at a recorded camera (a folder of photos) through a root-owned
     drop-in in /etc/faceauth/faceauth.conf.d/, never by editing the shipped file;
  4. creates two ordinary accounts; the first types `faceauthctl enroll` in a login
     shell: the notice, "yes", the age, polkit's terminal agent asking for their own
     password (a rules file stands in for the active logind session this machine
     lacks), the capture progress, enrolled;
  5. `pam-auth-update --enable faceauth`, then through a pseudo-terminal, as a person
     types in a login shell: `sudo -k; sudo true` with the face in view (no password
     prompt), with someone else in view (the password prompt; the typed password
     works), with the daemon gone and activation failing (the prompt within the
     module's timeout + 1 s); the same for `su - USER -c true` typed by the second
     account;
  6. `faceauthctl remove --all` as the user, `pam-auth-update --disable faceauth`,
     `apt-get purge`: /etc/pam.d byte-identical to before, /var/lib/faceauth and
     /etc/faceauth gone. Everything (package, accounts, sudoers drop-in, PAM stack, the
     bus it started) is restored in tearDown even when a step fails.

Without logind, faceauthctl registers pkttyagent as the process's own agent
(not --fallback): polkitd uses a fallback agent only for a subject in a session.

Needs root, apt-get, cpack, sudo, su, pam-auth-update and photos (../shared/faces or the
ones scripts/setup.sh caches); skips, saying which, without them, and when a faceauth
package is installed (it never touches a real installation).
Environment: FACEAUTH_BUILD_DIR, FACEAUTH_SHARED_DIR, FACEAUTH_CACHE.
"""
import glob
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skippable  # noqa: E402

BUILD = os.environ["FACEAUTH_BUILD_DIR"]
SHARED = os.environ.get("FACEAUTH_SHARED_DIR", "")
CACHE = os.environ.get("FACEAUTH_CACHE") or os.path.expanduser("~/.cache/faceauth")
BUS_SOCKET = "/run/dbus/system_bus_socket"
DROPIN_DIR = "/etc/faceauth/faceauth.conf.d"
DROPIN = DROPIN_DIR + "/50-system-test.conf"
BROKEN_DROPIN = DROPIN_DIR + "/99-system-test-broken.conf"
SUDOERS = "/etc/sudoers.d/faceauth-system-test"
CAMERA = "/var/tmp/faceauth-system-test/camera"
USER, PASSWORD = "fa-sys-alice", "Alice-pw-4821"
OTHER, OTHER_PASSWORD = "fa-sys-bob", "Bob-pw-9034"
POLKIT_RULES = "/etc/polkit-1/rules.d/10-faceauth-system-test.rules"
# Without systemd-logind no process is in an active session, and the shipped
# defaults give org.faceauth.enroll-self (allow_active auth_self_keep) only to
# an active session: this rule stands in for the session, asking the same.
POLKIT_RULES_TEXT = """polkit.addRule(function(action, subject) {
    if (action.id == "org.faceauth.enroll-self" && subject.user == "%s") {
        return polkit.Result.AUTH_SELF_KEEP;
    }
});
""" % USER
MODULE_TIMEOUT = 5  # pam_faceauth's default timeout= (pam_faceauth(8))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", "faceauth"])
    return r.returncode == 0 and "installed" in r.stdout


def photos():
    """(the enrolled person's photos, someone else's), or None."""
    pairs = [(os.path.join(SHARED, "faces/identities/John_Salley"), os.path.join(SHARED, "faces/identities/John_Simm")),
             (os.path.join(CACHE, "photos/astronaut"), os.path.join(CACHE, "photos/others"))]
    for a, b in pairs:
        pa = sorted(glob.glob(a + "/*.jpg") + glob.glob(a + "/*.png"))
        pb = sorted(glob.glob(b + "/*.jpg") + glob.glob(b + "/*.png"))
        if pa and pb:
            return pa, pb
    return None


def faceauthd_pids():
    r = run(["pgrep", "-x", "faceauthd"])
    return [int(p) for p in r.stdout.split()]


def snapshot(tree):
    """{relative path: bytes} of every regular file under tree."""
    out = {}
    for dirpath, _, files in os.walk(tree):
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, tree)] = fh.read()
    return out


class Terminal:
    """A login shell of `user` on a pseudo-terminal, typed into like a person would."""

    def __init__(self, user):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp("su", ["su", "-l", user])
        self.buf = b""
        self.mark, self.typed = 0, ""
        self.expect(r"\$ ", timeout=20)

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    self.buf += os.read(self.fd, 4096)
                except OSError:
                    return

    def expect(self, *patterns, timeout=15):
        """Waits until one of the regular expressions matches the output since the
        mark (the echoed command line removed); returns (pattern, seconds)."""
        start = time.monotonic()
        while True:
            tail = self.buf[self.mark:]
            shown = tail.decode(errors="replace")
            if self.typed:  # only what follows the echoed command line
                shown = shown.split(self.typed, 1)[1] if self.typed in shown else ""
            for t in patterns:
                if re.search(t, shown):
                    return t, time.monotonic() - start
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise AssertionError("waited %.1f s for %r; the terminal shows:\n%s" %
                                     (timeout, patterns, tail.decode(errors="replace")))
            r, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if r:
                try:
                    self.buf += os.read(self.fd, 4096)
                except OSError:
                    raise AssertionError("the terminal closed; it showed:\n" + tail.decode(errors="replace"))

    def type(self, line, echoed=True):
        """Types line and Enter; echoed=False for a password (the terminal shows nothing)."""
        self.typed = line if echoed else ""
        self.mark = len(self.buf)
        os.write(self.fd, (line + "\n").encode())

    def wait_echo_off(self, timeout=10):
        """A password prompt is printed before echo goes off and pending input is
        flushed: typing at once can be thrown away. Waits for echo off."""
        end = time.monotonic() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ECHO:
            if time.monotonic() > end:
                raise AssertionError("the terminal's echo never went off for the password")
            time.sleep(0.02)
        time.sleep(0.05)

    def since_mark(self):
        return self.buf[self.mark:].decode(errors="replace")

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


class SystemBusTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("installing a package and creating accounts needs root")
        for tool in ("apt-get", "cpack", "pam-auth-update", "sudo", "su", "useradd", "chpasswd", "dbus-daemon"):
            if shutil.which(tool) is None:
                self.skipTest(tool + " is not installed (scripts/setup.sh installs it)")
        if installed():
            self.skipTest("a faceauth package is installed on this machine; not touching it")
        material = photos()
        if material is None:
            self.skipTest("no photos: neither ../shared/faces nor the photos scripts/setup.sh caches")
        self.person, self.other = material
        self.started_bus = None
        self.pam_before = snapshot("/etc/pam.d")
        self.addCleanup(self.restore)
        self.out = tempfile.mkdtemp(prefix="faceauth-system-")

    # -- clean-up: runs even when a step fails ---------------------------------
    def restore(self):
        for p in faceauthd_pids():
            try:
                os.kill(p, signal.SIGTERM)
            except OSError:
                pass
        for path in (BROKEN_DROPIN, DROPIN, SUDOERS, POLKIT_RULES):
            if os.path.exists(path):
                os.unlink(path)
        if installed():
            run(["pam-auth-update", "--disable", "faceauth"])
            run(["apt-get", "purge", "-y", "faceauth"], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        for u in (USER, OTHER):
            if run(["getent", "passwd", u]).returncode == 0:
                run(["pkill", "-KILL", "-u", u])
                run(["userdel", "-r", u])
        # The PAM stack exactly as it was, whatever happened.
        now = snapshot("/etc/pam.d")
        for rel, data in self.pam_before.items():
            if now.get(rel) != data:
                with open(os.path.join("/etc/pam.d", rel), "wb") as f:
                    f.write(data)
        for rel in set(now) - set(self.pam_before):
            os.unlink(os.path.join("/etc/pam.d", rel))
        shutil.rmtree(os.path.dirname(CAMERA), ignore_errors=True)
        shutil.rmtree(self.out, ignore_errors=True)
        if self.started_bus:
            run(["pkill", "-x", "polkitd"])  # activated on the bus this test started
            self.started_bus.terminate()
            self.started_bus.wait(10)
            for p in (BUS_SOCKET, "/run/dbus/pid"):
                if os.path.exists(p):
                    os.unlink(p)

    # -- helpers ----------------------------------------------------------------
    def show(self, pictures):
        """The recorded camera shows these photos from now on."""
        os.makedirs(CAMERA, exist_ok=True)
        os.chmod(os.path.dirname(CAMERA), 0o755)
        os.chmod(CAMERA, 0o755)
        for f in os.listdir(CAMERA):
            os.unlink(os.path.join(CAMERA, f))
        for i, p in enumerate(pictures):
            dst = os.path.join(CAMERA, "%03d%s" % (i, os.path.splitext(p)[1]))
            shutil.copyfile(p, dst)
            os.chmod(dst, 0o644)

    def bus_answers(self):
        return run(["busctl", "--system", "--timeout=3", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "GetId"]).returncode == 0

    def start_system_bus(self):
        if os.path.exists(BUS_SOCKET) and self.bus_answers():
            print("system bus: already running, used as it is")
            return
        for p in (BUS_SOCKET, "/run/dbus/pid"):
            if os.path.exists(p):
                os.unlink(p)
        os.makedirs("/run/dbus", exist_ok=True)
        self.started_bus = subprocess.Popen(["dbus-daemon", "--system", "--nofork", "--nopidfile"])
        deadline = time.monotonic() + 10
        while not self.bus_answers():
            self.assertLess(time.monotonic(), deadline, "dbus-daemon --system did not answer within 10 s")
            time.sleep(0.05)
        print("system bus: started dbus-daemon --system (Debian's /usr/share/dbus-1/system.conf)")

    def ctl(self, *args, user=None):
        cmd = ["faceauthctl"] + list(args)
        if user:
            cmd = ["runuser", "-u", user, "--"] + cmd
        return run(cmd, timeout=120)

    def stop_daemon_and_break_activation(self):
        """faceauthd stopped, and its next activation failing (a drop-in with an
        unknown key: the daemon refuses to start)."""
        for p in faceauthd_pids():
            os.kill(p, signal.SIGTERM)
        with open(BROKEN_DROPIN, "w") as f:
            f.write("lockout_attempt = 3\n")
        os.chmod(BROKEN_DROPIN, 0o644)
        deadline = time.monotonic() + 10
        while faceauthd_pids():
            self.assertLess(time.monotonic(), deadline, "faceauthd did not stop on SIGTERM")
            time.sleep(0.05)

    def sudo_attempt(self, term):
        term.type("sudo -k; sudo true; echo rc=$?")
        return term.expect(r"rc=\d", r"\[sudo\] password for", timeout=MODULE_TIMEOUT + 10)

    # -- the test ---------------------------------------------------------------
    def test_installed_package_on_the_system_bus_with_sudo_and_su(self):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        r = run(["cpack", "-G", "DEB", "-B", self.out], cwd=BUILD)
        self.assertEqual(r.returncode, 0, "cpack failed:\n" + r.stdout + r.stderr)
        debs = glob.glob(os.path.join(self.out, "faceauth_*.deb"))
        self.assertEqual(len(debs), 1, debs)

        # 2. the bus first, so the package's postinst reloads a running bus, as on a real machine
        self.start_system_bus()
        t0 = time.monotonic()
        r = run(["apt-get", "install", "-y", "--no-install-recommends", debs[0]], env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        print("apt-get install %s: ok (%.1f s)" % (os.path.basename(debs[0]), time.monotonic() - t0))
        self.assertEqual(run(["getent", "passwd", "faceauth"]).returncode, 0, "service user not created")
        st = os.stat("/var/lib/faceauth")
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (int(run(["id", "-u", "faceauth"]).stdout), 0o700))

        # 3. the recorded camera, by a root-owned drop-in
        self.show(self.person)
        os.makedirs(DROPIN_DIR, exist_ok=True)
        with open(DROPIN, "w") as f:
            f.write("# faceauth system test: a recorded camera instead of /dev/video0\n"
                    "camera = dir:%s?fps=15&loop=1\nenroll_frames = 3\n" % CAMERA)
        os.chmod(DROPIN, 0o644)

        # activation: nothing runs, the first call starts faceauthd as faceauth
        self.assertEqual(faceauthd_pids(), [], "faceauthd runs before any call")
        t0 = time.monotonic()
        r = self.ctl("status")
        first_call = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        pids = faceauthd_pids()
        self.assertEqual(len(pids), 1, pids)
        owner = run(["ps", "-o", "user=", "-p", str(pids[0])]).stdout.strip()
        self.assertEqual(owner, "faceauth")
        print("activation: first call answered in %.2f s; faceauthd pid %d runs as %s" % (first_call, pids[0], owner))
        self.assertIn(CAMERA, r.stdout, "the drop-in's camera is in use")

        # 4. accounts, the first enrolled
        for u, pw in ((USER, PASSWORD), (OTHER, OTHER_PASSWORD)):
            self.assertEqual(run(["useradd", "-m", "-s", "/bin/bash", u]).returncode, 0)
            self.assertEqual(run(["chpasswd"], input="%s:%s\n" % (u, pw)).returncode, 0)
        with open(SUDOERS, "w") as f:
            f.write("%s ALL=(ALL) ALL\n" % USER)
        os.chmod(SUDOERS, 0o440)
        # The enrollment as the person types it: the notice, "yes", the age, then
        # polkit's terminal agent asks for their own password (auth_self_keep).
        with open(POLKIT_RULES, "w") as f:
            f.write(POLKIT_RULES_TEXT)
        os.chmod(POLKIT_RULES, 0o644)
        term = Terminal(USER)
        self.addCleanup(term.close)
        term.type("faceauthctl enroll; echo enroll-rc=$?")
        term.expect(r"Notice id: ", timeout=30)
        term.expect(r"Type yes to consent")
        term.type("yes")
        term.expect(r"14 years old or older\? Type yes or no: ")
        term.type("yes")
        term.expect(r"AUTHENTICATING FOR org\.faceauth\.enroll-self", timeout=30)
        term.expect(r"Password: ")
        term.wait_echo_off()
        term.type(PASSWORD, echoed=False)
        seen, secs = term.expect(r"enroll-rc=\d", timeout=60)
        shown = term.since_mark()
        self.assertIn("enroll-rc=0", shown, shown)
        self.assertIn("Enrolled.", shown)
        self.assertRegex(shown, r"\] 3/3")  # capture progress
        print("faceauthctl enroll typed in a terminal: notice, yes, age, polkit agent password, "
              "progress, enrolled %.2f s after the password" % secs)
        os.unlink(POLKIT_RULES)

        r = run(["pam-auth-update", "--enable", "faceauth"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open("/etc/pam.d/common-auth") as f:
            self.assertIn("pam_faceauth.so", f.read())

        # 5a. sudo, typed by the user in the same shell
        seen, secs = self.sudo_attempt(term)
        self.assertEqual(seen, r"rc=\d", "face in view: a password prompt appeared:\n" + term.since_mark())
        term.expect(r"rc=0")
        print("sudo, face in view: rc=0 with no password prompt after %.2f s" % secs)

        self.show(self.other)
        seen, secs = self.sudo_attempt(term)
        self.assertEqual(seen, r"\[sudo\] password for", "someone else in view:\n" + term.since_mark())
        # sudo passes PAM_SILENT (sudoers pam_silent): the reason is still said (docs/pam.md).
        self.assertIn("Face not recognised", term.since_mark())
        print("sudo, someone else in view: 'Face not recognised' and the password prompt after %.2f s" % secs)
        term.wait_echo_off()
        term.type(PASSWORD, echoed=False)
        term.expect(r"rc=0")
        print("sudo, typed password: rc=0")

        self.stop_daemon_and_break_activation()
        seen, secs = self.sudo_attempt(term)
        self.assertEqual(seen, r"\[sudo\] password for", term.since_mark())
        self.assertLessEqual(secs, MODULE_TIMEOUT + 1, "daemon gone: the prompt took %.2f s" % secs)
        term.wait_echo_off()
        term.type(PASSWORD, echoed=False)
        term.expect(r"rc=0")
        print("sudo, daemon stopped and activation failing: password prompt after %.2f s (bound %d s), "
              "typed password: rc=0" % (secs, MODULE_TIMEOUT + 1))
        os.unlink(BROKEN_DROPIN)

        # 5b. su, typed by another account
        self.show(self.person)
        other = Terminal(OTHER)
        self.addCleanup(other.close)
        # The command prints inner-42: a text its own echo on the terminal cannot contain.
        cmd = "su - %s -c 'echo inner-$((40+2))'; echo rc=$?" % USER
        other.type(cmd)
        seen, secs = other.expect(r"inner-42", r"Password:", timeout=MODULE_TIMEOUT + 10)
        self.assertEqual(seen, r"inner-42", "face in view: " + other.since_mark())
        other.expect("rc=0")
        print("su - %s from %s, face in view: no password prompt, ran after %.2f s" % (USER, OTHER, secs))

        self.show(self.other)
        other.type(cmd)
        seen, secs = other.expect(r"inner-42", r"Password:", timeout=MODULE_TIMEOUT + 10)
        self.assertEqual(seen, r"Password:", other.since_mark())
        self.assertIn("Face not recognised", other.since_mark())
        other.wait_echo_off()
        other.type(PASSWORD, echoed=False)
        other.expect(r"inner-42")
        other.expect("rc=0")
        print("su, someone else in view: 'Face not recognised' and the password prompt after %.2f s; "
              "typed password: ran" % secs)

        self.stop_daemon_and_break_activation()
        other.type(cmd)
        seen, secs = other.expect(r"inner-42", r"Password:", timeout=MODULE_TIMEOUT + 10)
        self.assertEqual(seen, r"Password:", other.since_mark())
        self.assertLessEqual(secs, MODULE_TIMEOUT + 1)
        other.wait_echo_off()
        other.type(PASSWORD, echoed=False)
        other.expect(r"inner-42")
        print("su, daemon stopped and activation failing: password prompt after %.2f s (bound %d s)" %
              (secs, MODULE_TIMEOUT + 1))
        os.unlink(BROKEN_DROPIN)

        # 6. erase, disable, purge
        r = self.ctl("remove", "--all", user=USER)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.ctl("list", "--json", user=USER)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn('"id"', r.stdout, "templates left after remove --all: " + r.stdout)
        print("faceauthctl remove --all as %s: no template left" % USER)
        self.assertEqual(run(["pam-auth-update", "--disable", "faceauth"]).returncode, 0)
        os.unlink(DROPIN)
        r = run(["apt-get", "purge", "-y", "faceauth"], env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(installed())
        self.assertEqual(faceauthd_pids(), [], "faceauthd still runs after the purge")
        self.assertEqual(snapshot("/etc/pam.d"), self.pam_before, "the PAM stack is not as it was")
        for path in ("/var/lib/faceauth", "/etc/faceauth"):
            self.assertFalse(os.path.exists(path), path + " is left after the purge")
        print("pam-auth-update --disable, apt-get purge: /etc/pam.d byte-identical (%d files), "
              "/var/lib/faceauth and /etc/faceauth gone, faceauthd stopped" % len(self.pam_before))


if __name__ == "__main__":
    skippable.main()
