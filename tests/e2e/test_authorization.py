#!/usr/bin/env python3
"""Authorization: who may call what (no polkitd on this bus).

Calls are made as root and as the unprivileged uid `nobody` (setpriv), so the
daemon sees the real credentials of the connection. Without polkitd, the rules
of dbus/org.faceauth.FaceAuth1.xml are: a user may Verify themselves and make
their own read-only calls; everything else is root only, and a refusal is
org.faceauth.Error.PermissionDenied whose message names the polkit action.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

DENIED = "org.faceauth.Error.PermissionDenied"
NOBODY = harness.UNPRIVILEGED_USER


class AuthorizationTest(harness.FaceAuthTestCase):
    NEEDS_FACES = False

    def as_nobody(self, method, sig="", *args, **kw):
        return self.call(method, sig, *args, as_user=NOBODY, **kw)

    def expect_denied(self, method, sig, *args, action=None):
        r = self.as_nobody(method, sig, *args)
        what = "%s%r as nobody" % (method, args)
        self.assertDBusError(r, DENIED, what)
        if action:
            self.assertIn(action, r.message or "", "%s: the message should name the polkit action %s"
                          % (what, action))
        self.assertDaemonAnswers(what)
        return r

    def enroll_opts(self):
        return {"confirm_age": V("b", True), "label": V("s", "e2e"), "method": V("s", "e2e")}

    # -- allowed

    def test_nobody_may_verify_themselves(self):
        for user in ("", NOBODY):
            with self.subTest(user=user):
                r = self.as_nobody("Verify", "sa{sv}", user, {"timeout": V("u", 2)}, timeout=30)
                self.assertEqual(self.ok(r, "Verify(%r) as nobody" % user)[0], "not-enrolled")

    def test_nobody_own_read_only_calls(self):
        self.assertEqual(self.ok(self.as_nobody("IsEnrolled", "s", "")), [False])
        self.assertEqual(self.ok(self.as_nobody("IsEnrolled", "s", NOBODY)), [False])
        self.assertEqual(self.ok(self.as_nobody("ListTemplates", "s", "")), [[]])
        self.assertEqual(self.ok(self.as_nobody("ListTemplates", "s", NOBODY)), [[]])
        self.assertEqual(self.ok(self.as_nobody("GetConsent", "s", "")), [[]])
        entries = self.ok(self.as_nobody("GetAuditLog", "s", ""))[0]
        for e in entries:   # (seq, time, event, user, actor, detail)
            self.assertTrue(NOBODY in (e[3], e[4]), "GetAuditLog('') as nobody shows an entry "
                                                    "about another user: %s" % (e,))
        data = json.loads(self.ok(self.as_nobody("ExportPersonalData", "s", ""))[0])
        self.assertIsInstance(data, dict)
        nid, text = self.ok(self.as_nobody("GetNotice", "s", ""))
        self.assertTrue(nid)
        self.assertIn("faceauth e2e test notice", text)
        st = plain = harness.plain(self.ok(self.as_nobody("Status"))[0])
        self.assertIn("version", st)
        self.assertEqual(plain.get("busy"), False)

    # -- denied

    def test_nobody_may_not_verify_others(self):
        for user in ("daemon", "root", "bin"):
            with self.subTest(user=user):
                self.expect_denied("Verify", "sa{sv}", user, {}, action="org.faceauth.verify-other")

    def test_nobody_may_not_enroll(self):
        nid = self.ok(self.call("GetNotice", "s", ""))[0]
        # another user's face: org.faceauth.manage; their own: org.faceauth.enroll-self,
        # which needs polkit (auth_self_keep) and so is refused without polkitd
        self.expect_denied("Enroll", "ssa{sv}", "daemon", nid, self.enroll_opts(), action="org.faceauth.")
        self.expect_denied("Enroll", "ssa{sv}", "", nid, self.enroll_opts(), action="org.faceauth.enroll-self")
        self.expect_denied("Enroll", "ssa{sv}", NOBODY, nid, self.enroll_opts(), action="org.faceauth.enroll-self")
        self.assertEqual(self.ok(self.call("GetConsent", "s", NOBODY)), [[]],
                         "a refused Enroll must not record consent")

    def test_nobody_may_not_read_about_others(self):
        for method in ("ListTemplates", "GetAuditLog", "GetConsent", "ExportPersonalData", "IsEnrolled"):
            for user in ("daemon", "root"):
                with self.subTest(method=method, user=user):
                    self.expect_denied(method, "s", user, action="org.faceauth.manage")

    def test_nobody_may_not_change_others(self):
        self.expect_denied("RemoveTemplate", "sx", "daemon", 1, action="org.faceauth.manage")
        for method in ("RemoveAll", "WithdrawConsent", "ResetLockout"):
            with self.subTest(method=method):
                self.expect_denied(method, "s", "daemon", action="org.faceauth.manage")

    def test_bus_refuses_other_interfaces(self):
        # the bus policy opens only the faceauth interface and the standard ones
        r = self.call("Foo", interface="org.example.NotFaceAuth", as_user=NOBODY)
        self.assertDBusError(r, "org.freedesktop.DBus.Error.AccessDenied", "org.example.NotFaceAuth.Foo")
        r = self.call("Ping", interface="org.freedesktop.DBus.Peer", as_user=NOBODY)
        self.ok(r, "Peer.Ping as nobody")

    def test_root_may_read_about_others(self):
        for method in ("ListTemplates", "GetAuditLog", "GetConsent", "ExportPersonalData", "IsEnrolled"):
            with self.subTest(method=method):
                self.ok(self.call(method, "s", "daemon"), "%s(daemon) as root" % method)

    @harness.skip_without_faces("enrolls user daemon from photos")
    def test_enrolled_user_data_survives_nobodys_attempts(self):
        result, message, template_id, _ = self.enroll("daemon", harness.identity_photos("John_Salley")[:5])
        self.assertEqual(result, "enrolled", message)
        before = self.ok(self.call("ListTemplates", "s", "daemon"))
        self.expect_denied("RemoveTemplate", "sx", "daemon", template_id)
        self.expect_denied("RemoveAll", "s", "daemon")
        self.expect_denied("WithdrawConsent", "s", "daemon")
        self.expect_denied("ListTemplates", "s", "daemon")
        self.expect_denied("Verify", "sa{sv}", "daemon", {})
        self.assertEqual(self.ok(self.call("ListTemplates", "s", "daemon")), before)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", "daemon")), [True])
        # and nobody's own view is still empty
        self.assertEqual(self.ok(self.as_nobody("ListTemplates", "s", "")), [[]])
        entries = self.ok(self.as_nobody("GetAuditLog", "s", ""))[0]
        self.assertFalse([e for e in entries if NOBODY not in (e[3], e[4])],
                         "nobody sees audit entries about other users' own actions")


if __name__ == "__main__":
    harness.main()
