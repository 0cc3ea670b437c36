#!/usr/bin/env python3
"""Enrollment and verification with real photos, the real daemon and its real store.

User `daemon` (an existing system account) is enrolled from the first 5 of the
11 photos of John_Salley; the camera folder then shows other photos:
  the other 6 John_Salley photos  -> "match"
  John_Simm                       -> "no-match"
  scenes/dogs.jpg                 -> "no-face"
  a user never enrolled (bin)     -> "not-enrolled"
  5 failures in a row             -> the next answer is "locked-out", also with the
                                     genuine face and also after a daemon restart
Needs ../shared/faces (skips otherwise).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

USER = "daemon"
NO_ORACLE_KEYS = ("distance", "score", "distances", "scores", "threshold", "confidence", "similarity")


class VerifyTest(harness.FaceAuthTestCase):
    CONFIG = {"lockout_attempts": "5", "lockout_seconds": "600", "verify_timeout_seconds": str(int(10 * harness.TIME_SCALE))}

    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")
        self.simm = harness.identity_photos("John_Simm")
        result, message, self.template_id, self.progress = self.enroll(USER, self.salley[:5], label="salley")
        self.assertEqual(result, "enrolled", "EnrollFinished: %s (%s)" % (result, message))

    def check_details(self, details, what):
        for key in NO_ORACLE_KEYS:
            self.assertNotIn(key, details, "%s: details must not reveal %r: %s" % (what, key, details))

    def test_enrollment_is_recorded(self):
        self.assertGreater(self.template_id, 0)
        self.assertTrue(self.progress, "no EnrollProgress signal was seen")
        captured = [p[0] for p in self.progress]
        self.assertEqual(captured, sorted(captured), "captured counts go backwards: %s" % captured)
        self.assertTrue(all(p[1] == 5 for p in self.progress), "needed != enroll_frames: %s" % self.progress)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [True])
        templates = self.ok(self.call("ListTemplates", "s", USER))[0]
        self.assertEqual(len(templates), 1, templates)
        tid, label, created, expires, embedder, current = templates[0]
        self.assertEqual(tid, self.template_id)
        self.assertEqual(embedder, "mobilefacenet", "the default embedder made the template")
        self.assertTrue(current)
        self.assertEqual(label, "salley")
        self.assertLess(abs(created - time.time()), 300)
        self.assertGreater(expires, created)
        consent = self.ok(self.call("GetConsent", "s", USER))[0]
        self.assertEqual(len(consent), 1, consent)
        self.assertEqual(consent[0][0], self.notice_id())
        self.assertEqual(consent[0][3], 0, "consent must be active")
        st = self.status()
        self.assertIn("enrolled_users", st, "Status lacks enrolled_users: %s" % st)
        self.assertEqual(st["enrolled_users"], 1)

    def test_genuine_face_matches(self):
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        self.check_details(details, "match")
        self.assertGreaterEqual(details.get("frames", 0), 1, details)

    def test_impostor_does_not_match(self):
        self.set_camera(self.simm)
        result, details = self.verify(USER)
        self.assertEqual(result, "no-match", details)
        self.check_details(details, "no-match")

    def test_no_face(self):
        self.set_camera([harness.scene_photo("dogs.jpg")], repeat=3)
        result, details = self.verify(USER)
        self.assertEqual(result, "no-face", details)
        self.check_details(details, "no-face")

    def test_user_never_enrolled(self):
        self.set_camera(self.salley[5:])
        result, details = self.verify("bin")
        self.assertEqual(result, "not-enrolled", details)

    def test_lockout_after_five_failures_survives_restart(self):
        self.set_camera(self.simm)
        for i in range(5):
            result, details = self.verify(USER)
            self.assertEqual(result, "no-match", "attempt %d: %s" % (i + 1, details))
        result, details = self.verify(USER)
        self.assertEqual(result, "locked-out", "6th attempt after 5 failures: %s" % details)
        self.assertGreater(details.get("locked_until", 0), time.time(), details)

        # the genuine face does not bypass a lockout
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "locked-out", "genuine face while locked out: %s" % details)

        # attempts refused while locked are audited, but a caller in a loop cannot grow
        # the audit log without bound: at most one such row per user every 10 s
        def verify_rows():
            return [e for e in self.ok(self.call("GetAuditLog", "s", USER))[0] if e[2] == "verify"]
        before = len(verify_rows())
        for _ in range(15):
            self.assertEqual(self.verify(USER)[0], "locked-out")
        self.assertLessEqual(len(verify_rows()) - before, 2, "15 refused attempts in a row")

        # nor does a restart: the counter lives in the store
        code = self.restart_daemon()
        self.assertEqual(code, 0, "faceauthd should exit 0 on SIGTERM, got %s" % code)
        result, details = self.verify(USER)
        self.assertEqual(result, "locked-out", "after a daemon restart: %s" % details)

        # root resets it; then the genuine face matches again
        self.ok(self.call("ResetLockout", "s", USER), "ResetLockout(daemon)")
        result, details = self.verify(USER)
        self.assertEqual(result, "match", "after ResetLockout: %s" % details)

    def test_success_resets_the_failure_count(self):
        self.set_camera(self.simm)
        for _ in range(4):
            self.assertEqual(self.verify(USER)[0], "no-match")
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "match")
        self.set_camera(self.simm)
        for i in range(4):
            self.assertEqual(self.verify(USER)[0], "no-match",
                             "a match should reset the count; attempt %d after it" % (i + 1))

    def test_personal_data_export_has_no_templates(self):
        self.set_camera(self.salley[5:])
        self.verify(USER)
        raw = self.ok(self.call("ExportPersonalData", "s", USER))[0]
        data = json.loads(raw)

        def numeric_lists(v):
            if isinstance(v, list):
                if len(v) >= 32 and all(isinstance(x, (int, float)) for x in v):
                    yield v
                for x in v:
                    yield from numeric_lists(x)
            elif isinstance(v, dict):
                for x in v.values():
                    yield from numeric_lists(x)

        self.assertFalse(list(numeric_lists(data)), "the export contains a numeric vector (a template?)")
        self.assertIn("salley", raw, "the export should list the template's metadata")
        audit = self.ok(self.call("GetAuditLog", "s", USER))[0]
        self.assertTrue(audit, "no audit entries about %s after enroll and verify" % USER)

    def test_erasure(self):
        self.assertEqual(self.ok(self.call("RemoveAll", "s", USER)), [1])
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [False])
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "not-enrolled")

    def test_withdrawal_deletes_templates(self):
        self.assertEqual(self.ok(self.call("WithdrawConsent", "s", USER)), [1])
        self.assertEqual(self.ok(self.call("ListTemplates", "s", USER)), [[]])
        consent = self.ok(self.call("GetConsent", "s", USER))[0]
        self.assertTrue(consent and all(c[3] > 0 for c in consent), "consent not withdrawn: %s" % consent)


if __name__ == "__main__":
    harness.main()
