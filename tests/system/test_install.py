#!/usr/bin/env python3
"""`cmake --install` into a staging root: every file in its standard place with
the right mode; the unit passes `systemd-analyze verify` and scores at most
1.0 on `systemd-analyze security --offline=yes` (the score is printed).

Environment: FACEAUTH_BUILD_DIR (the build tree), EXPECTED_FILES (";"-joined
paths relative to the staging root, each "path:mode").
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

BUILD = os.environ["FACEAUTH_BUILD_DIR"]
EXPECTED = [e for e in os.environ.get("EXPECTED_FILES", "").split(";") if e]
MAX_EXPOSURE = 1.0


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stage = tempfile.mkdtemp(prefix="faceauth-stage-")
        env = dict(os.environ, DESTDIR=cls.stage)
        r = subprocess.run(["cmake", "--install", BUILD], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("cmake --install failed:\n" + r.stdout + r.stderr)
        cls.files = set()
        for root, _, names in os.walk(cls.stage):
            for n in names:
                cls.files.add(os.path.relpath(os.path.join(root, n), cls.stage))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.stage, ignore_errors=True)

    def test_expected_files_and_modes(self):
        self.assertTrue(EXPECTED, "no expected file list given")
        for entry in EXPECTED:
            path, mode = entry.rsplit(":", 1)
            self.assertIn(path, self.files, "not installed: " + path)
            st = os.lstat(os.path.join(self.stage, path))
            self.assertEqual(oct(stat.S_IMODE(st.st_mode)), oct(int(mode, 8)), path)

    def test_nothing_unexpected_is_installed(self):
        expected = {e.rsplit(":", 1)[0] for e in EXPECTED}
        extra = sorted(self.files - expected)
        self.assertEqual(extra, [], "installed but not in the expected list")

    def test_no_file_is_world_writable_or_setuid(self):
        for f in self.files:
            m = os.lstat(os.path.join(self.stage, f)).st_mode
            self.assertFalse(m & stat.S_IWOTH, f)
            self.assertFalse(m & (stat.S_ISUID | stat.S_ISGID), f)

    def unit_for_analysis(self):
        # The unit names the installed path of faceauthd, which exists only in the
        # staging root: point ExecStart there; every other line is analysed as shipped.
        unit = next(f for f in self.files if f.endswith("systemd/system/faceauthd.service"))
        with open(os.path.join(self.stage, unit)) as f:
            text = f.read()
        exe = os.path.join(self.stage, re.search(r"^ExecStart=(\S+)", text, re.M).group(1).lstrip("/"))
        self.assertTrue(os.access(exe, os.X_OK), exe)
        tmp = tempfile.mkdtemp(prefix="faceauth-unit-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "faceauthd.service")
        with open(path, "w") as f:
            f.write(re.sub(r"^ExecStart=\S+", "ExecStart=" + exe, text, flags=re.M))
        return path

    def test_systemd_analyze_verify(self):
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", self.unit_for_analysis()],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_security_exposure(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", self.unit_for_analysis()],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\S+)", r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        print("systemd-analyze security: exposure %s %s" % (m.group(1), m.group(2)))
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
