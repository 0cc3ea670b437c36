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
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import polkit_support  # noqa: E402
from polkit_support import ALLOW_NOBODY  # noqa: E402
from harness import V  # noqa: E402



class PolkitTest(polkit_support.PolkitMixin, harness.FaceAuthTestCase):
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

    def test_own_lockout_reset_is_asked_of_polkit(self):
        self.start_polkitd("")
        r = self.call("ResetLockout", "s", "", as_user="nobody")
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "unlock-self without a grant")
        self.assertIn("org.faceauth.unlock-self", r.message)
        self.assertNotIn("could not be asked", r.message, "polkit must have answered: " + r.message)

    def test_own_lockout_reset_granted(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.unlock-self")
        self.ok(self.call("ResetLockout", "s", "", as_user="nobody"), "unlock-self with a grant")

    def test_manage_grant_lets_a_user_read_another_users_templates(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.manage")
        r = self.call("ListTemplates", "s", "daemon", as_user="nobody")
        self.assertEqual(self.ok(r, "ListTemplates(daemon) as nobody with manage")[0], [])
        # the grant is for manage only: verifying another user is still refused
        r = self.call("Verify", "sa{sv}", "daemon", {}, as_user="nobody")
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "verify-other not granted")


if __name__ == "__main__":
    harness.main()
