#!/usr/bin/env python3
"""Authorization through a real polkitd on the private bus.

polkitd (Debian's 122) is started by root with DBUS_SYSTEM_BUS_ADDRESS pointing
at the test bus; the project's action file is installed in
/usr/share/polkit-1/actions and a per-test rules file in /etc/polkit-1/rules.d,
both removed afterwards. faceauthd runs as the non-root user `faceauth`, so
these tests also prove that the actions' owner annotation lets it ask polkit
about other users' processes.
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

POLKITD = "/usr/lib/polkit-1/polkitd"
ACTIONS_SRC = os.path.join(harness.SOURCE_DIR, "dbus", "org.faceauth.policy")
ACTIONS_DST = "/usr/share/polkit-1/actions/org.faceauth.policy"
RULES_DIR = "/etc/polkit-1/rules.d"
RULES_DST = os.path.join(RULES_DIR, "10-faceauth-e2e-test.rules")
POLKIT_BUS_POLICY = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"

ALLOW_NOBODY = """
polkit.addRule(function(action, subject) {
    if (subject.user == "nobody" && action.id == "%s") {
        return polkit.Result.YES;
    }
});
"""


class PolkitTest(harness.FaceAuthTestCase):
    EXTRA_BUS_POLICIES = (POLKIT_BUS_POLICY,)
    NEEDS_FACES = False
    RULES = ""  # set per test before polkitd starts

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path in (POLKITD, POLKIT_BUS_POLICY):
            if not os.path.exists(path):
                raise unittest.SkipTest("polkitd is not installed (%s missing)" % path)
        if os.path.exists(ACTIONS_DST):
            raise unittest.SkipTest("%s exists already (a real installation?); not touching it" % ACTIONS_DST)
        shutil.copyfile(ACTIONS_SRC, ACTIONS_DST)
        os.chmod(ACTIONS_DST, 0o644)

    @classmethod
    def tearDownClass(cls):
        if os.path.exists(ACTIONS_DST):
            os.unlink(ACTIONS_DST)
        super().tearDownClass()

    def start_polkitd(self, rules):
        if rules:
            with open(RULES_DST, "w") as f:
                f.write(rules)
            os.chmod(RULES_DST, 0o644)
            self.addCleanup(lambda: os.path.exists(RULES_DST) and os.unlink(RULES_DST))
        log = open(os.path.join(self.root, "polkitd.log"), "w")
        self.addCleanup(log.close)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        proc = subprocess.Popen([POLKITD, "--no-debug"], env=env, stdout=log, stderr=log)

        def stop():
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.addCleanup(stop)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = self.call("GetNameOwner", "s", "org.freedesktop.PolicyKit1", dest="org.freedesktop.DBus",
                          path="/org/freedesktop/DBus", interface="org.freedesktop.DBus")
            if r.ok:
                return
            time.sleep(0.1)
        self.fail("polkitd did not take its bus name")

    def test_without_a_rule_another_users_verify_is_refused_by_polkit(self):
        self.start_polkitd("")
        r = self.call("Verify", "sa{sv}", "daemon", {}, as_user="nobody")
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "nobody verifying daemon")
        self.assertIn("org.faceauth.verify-other", r.message)
        self.assertNotIn("could not be asked", r.message, "polkit must have answered: " + r.message)

    def test_a_rule_granting_verify_other_is_honoured(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.verify-other")
        result, _ = self.verify("daemon", timeout=2, as_user="nobody")
        self.assertEqual(result, "not-enrolled")

    def test_enroll_self_without_a_grant_is_refused(self):
        self.start_polkitd("")
        nid = self.notice_id()
        opts = {"confirm_age": V("b", True)}
        r = self.call("Enroll", "ssa{sv}", "", nid, opts, as_user="nobody")
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "enroll-self without a grant")
        self.assertIn("org.faceauth.enroll-self", r.message)

    def test_enroll_self_granted(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.enroll-self")
        r = self.call("Enroll", "ssa{sv}", "", self.notice_id(), {"confirm_age": V("b", True)}, as_user="nobody")
        job = self.ok(r, "enroll-self with a grant")[0]
        self.assertTrue(job.startswith(harness.OBJECT_PATH + "/jobs/"), job)

    def test_manage_grant_lets_a_user_read_another_users_templates(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.manage")
        r = self.call("ListTemplates", "s", "daemon", as_user="nobody")
        self.assertEqual(self.ok(r, "ListTemplates(daemon) as nobody with manage")[0], [])
        # the grant is for manage only: verifying another user is still refused
        r = self.call("Verify", "sa{sv}", "daemon", {}, as_user="nobody")
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "verify-other not granted")


if __name__ == "__main__":
    harness.main()
