#!/usr/bin/env python3
"""The Debian package built by CPack: it installs, creates the service user,
leaves the PAM stack alone until the administrator runs
`pam-auth-update --enable faceauth`, and uninstalls cleanly (the module leaves
the PAM stack before its file goes; purge erases the store).

Needs root and dpkg; skips when a faceauth package is already installed (this
test never touches a real installation). Environment: FACEAUTH_BUILD_DIR.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skippable  # noqa: E402

BUILD = os.environ["FACEAUTH_BUILD_DIR"]
COMMON_AUTH = "/etc/pam.d/common-auth"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", "faceauth"])
    return r.returncode == 0 and "installed" in r.stdout


class DebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("installing a package needs root")
        for tool in ("dpkg", "cpack", "pam-auth-update"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest(tool + " is not available")
        if installed():
            raise unittest.SkipTest("a faceauth package is installed on this machine; not touching it")
        cls.out = tempfile.mkdtemp(prefix="faceauth-deb-")
        r = run(["cpack", "-G", "DEB", "-B", cls.out], cwd=BUILD)
        if r.returncode != 0:
            raise RuntimeError("cpack failed:\n" + r.stdout + r.stderr)
        debs = glob.glob(os.path.join(cls.out, "*.deb"))
        if len(debs) != 1:
            raise RuntimeError("expected one .deb, got %s" % debs)
        cls.deb = debs[0]
        with open(COMMON_AUTH) as f:
            cls.common_auth_before = f.read()

    @classmethod
    def tearDownClass(cls):
        if installed():
            run(["dpkg", "-P", "faceauth"])
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_install_enable_remove_purge(self):
        r = run(["dpkg", "-i", self.deb])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        listing = run(["dpkg", "-L", "faceauth"]).stdout.split()
        for path in ("/usr/libexec/faceauthd", "/usr/share/pam-configs/faceauth",
                     "/usr/share/polkit-1/actions/org.faceauth.policy"):
            self.assertIn(path, listing)
        self.assertTrue(any(p.endswith("/security/pam_faceauth.so") for p in listing), listing)
        self.assertEqual(run(["getent", "passwd", "faceauth"]).returncode, 0, "service user not created")
        with open(COMMON_AUTH) as f:
            self.assertNotIn("pam_faceauth", f.read(), "installing must not turn face login on")

        r = run(["pam-auth-update", "--enable", "faceauth"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(COMMON_AUTH) as f:
            stack = f.read()
        self.assertIn("pam_faceauth.so", stack)
        lines = [l for l in stack.splitlines() if l.startswith("auth")]
        fa = next(i for i, l in enumerate(lines) if "pam_faceauth.so" in l)
        unix = next(i for i, l in enumerate(lines) if "pam_unix.so" in l)
        self.assertLess(fa, unix, "faceauth must come before pam_unix:\n" + stack)

        r = run(["dpkg", "-r", "faceauth"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(COMMON_AUTH) as f:
            self.assertNotIn("pam_faceauth", f.read(), "removal must take the module out of the stack")
        self.assertFalse(os.path.exists("/usr/libexec/faceauthd"))
        r = run(["dpkg", "-P", "faceauth"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(installed())
        with open(COMMON_AUTH) as f:
            self.assertEqual(f.read(), self.common_auth_before, "the PAM stack is as it was")


if __name__ == "__main__":
    skippable.main()
