#!/usr/bin/env python3
"""Breach notice: tampering with a person's stored template is detected,
face verification is refused for that person (the password still works),
the person is told once through the Verify details, and the incident stays
visible in ExportPersonalData and Status-independent audit entries.

The tampering is done the way an attacker with write access to the database
file would: the daemon is stopped, one byte of the ciphertext is flipped with
Python's sqlite3 module, the daemon is started again. Needs ../shared/faces.
"""
import json
import os
import pwd
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

USER = "daemon"


class BreachTest(harness.FaceAuthTestCase):
    def verify(self, user, timeout=None, as_user=None):
        """Verify as a login does (the PAM module passes "login": true)."""
        r = self.call("Verify", "sa{sv}", user, {"login": harness.V("b", True)}, as_user=as_user, timeout=60)
        data = self.ok(r, "Verify(%r) as a login" % user)
        return data[0], harness.plain(data[1])

    def test_an_administrators_verify_does_not_consume_the_notice(self):
        self.flip_first_byte(0x01)
        self.set_camera(self.salley[5:])
        r = self.call("Verify", "sa{sv}", USER, {})      # root, not a login
        result, details = self.ok(r)[0], harness.plain(self.ok(r)[1])
        self.assertEqual(result, "refused", details)
        self.assertNotIn("incident", details, "an administrator's Verify must not take the person's notice")
        result, details = self.verify(USER)               # the person's login
        self.assertIn("incident", details, details)

    def flip_first_byte(self, mask):
        """Tamper with the template's ciphertext (first byte XOR mask), as the file's owner could."""
        def flip(db):
            (ct,) = db.execute("SELECT ciphertext FROM templates WHERE id = ?", (self.template_id,)).fetchone()
            db.execute("UPDATE templates SET ciphertext = ? WHERE id = ?",
                       (bytes([ct[0] ^ mask]) + ct[1:], self.template_id))
        self.tamper_store(flip)

    def wait_for_chain_check(self, seconds=20):
        """The full audit-chain walk runs in the background after start-up: wait for Status
        to report what it found."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chain = self.status().get("audit_chain", "")
            if chain.startswith("broken"):
                return chain
            time.sleep(0.1)
        self.fail("Status never reported the broken audit chain within %d s" % seconds)

    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")
        result, message, self.template_id, _ = self.enroll(USER, self.salley[:5])
        self.assertEqual(result, "enrolled", message)

    def test_flipped_ciphertext_is_a_breach_not_a_no_match(self):
        def flip(db):
            (ct,) = db.execute("SELECT ciphertext FROM templates WHERE id = ?", (self.template_id,)).fetchone()
            ct = bytearray(ct)
            ct[10] ^= 0x01
            db.execute("UPDATE templates SET ciphertext = ? WHERE id = ?", (bytes(ct), self.template_id))
        self.tamper_store(flip)
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "refused", details)
        self.assertIn("incident", details, "the person must be told at this login: %s" % details)
        # told once: the next attempt is still refused, without repeating the notice
        result, details = self.verify(USER)
        self.assertEqual(result, "refused", details)
        self.assertNotIn("incident", details)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [False],
                         "face auth must be off for the person until an admin looks at it")

    def test_an_administrator_restores_face_login_after_review(self):
        self.flip_first_byte(0x01)
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "refused")
        # the person cannot restore themselves; nobody cannot either
        r = self.call("RestoreFaceAuth", "s", "", as_user=harness.UNPRIVILEGED_USER)
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "RestoreFaceAuth as nobody")
        self.assertIn("org.faceauth.manage", r.message)
        # root (or manage): the untrusted template is erased, face login is allowed again
        self.assertEqual(self.ok(self.call("RestoreFaceAuth", "s", USER)), [1])
        self.assertEqual(self.ok(self.call("ListTemplates", "s", USER)), [[]])
        audit = self.ok(self.call("GetAuditLog", "s", USER))[0]
        self.assertIn("face-auth-restored", [e[2] for e in audit])
        # the person enrolls again and logs in by face
        result, message, _, _ = self.enroll(USER, self.salley[:5], label="again")
        self.assertEqual(result, "enrolled", message)
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "match")

    def test_status_reports_a_damaged_store(self):
        path = os.path.join(self.state_dir, "store.db")
        self.daemon.stop()
        size = os.path.getsize(path)
        with open(path, "r+b") as f:      # garbage over every page but the first (the header)
            f.seek(4096)
            f.write(os.urandom(max(0, size - 4096)))
        for name in os.listdir(self.state_dir):
            os.chown(os.path.join(self.state_dir, name), self.service_pw.pw_uid, self.service_pw.pw_gid)
        self.daemon.start(wait=False)
        time.sleep(1.0)
        if not self.daemon.alive():
            # Refusing to run on a damaged store is also an answer; it must say why.
            sys.stdout.write("    [store] the daemon refused to start on the damaged store\n")
            self.assertIn("store", self.daemon.log().lower())
            return
        self.daemon.wait_for_name()
        st = self.status()
        sys.stdout.write("    [store] Status with a damaged store: %r\n" % st.get("store"))
        self.assertNotEqual(st.get("store"), "ok", st)
        self.assertIn("version", st)

    def test_status_answers_when_the_store_breaks_while_running(self):
        import sqlite3
        db = sqlite3.connect(os.path.join(self.state_dir, "store.db"))
        db.execute("DROP TABLE templates")   # someone with write access, while the daemon runs
        db.commit()
        db.close()
        r = self.call("Status")
        st = harness.plain(self.ok(r, "Status with a broken store")[0])
        sys.stdout.write("    [store] Status while the store is broken: %r\n" % st.get("store"))
        self.assertNotEqual(st.get("store"), "ok", st)
        self.assertNotIn("enrolled_users", st, "a figure the store cannot give is left out")

    def test_a_store_emptied_next_to_its_key_is_reported_as_lost(self):
        path = os.path.join(self.state_dir, "store.db")
        self.daemon.stop()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.truncate(path + suffix, 0) if suffix == "" else os.unlink(path + suffix)
        self.daemon.start()
        st = self.status()
        self.assertTrue(st["store"].startswith("lost:"), st)
        self.assertRegex(self.daemon.log(), r"CRITICAL: .*found empty next to its existing key")
        audit = self.ok(self.call("GetAuditLog", "s", ""))[0]
        self.assertIn("tamper-detected", [e[2] for e in audit])

    def test_exclusion_and_inclusion(self):
        r = self.call("SetExcluded", "sbs", USER, True, "under 14", as_user=harness.UNPRIVILEGED_USER)
        self.assertDBusError(r, "org.faceauth.Error.PermissionDenied", "SetExcluded as nobody")
        r = self.call("SetExcluded", "sbs", USER, True, "bad \u202e reason")
        self.assertDBusError(r, "org.faceauth.Error.InvalidArgument", "a bidi override in the reason")
        self.ok(self.call("SetExcluded", "sbs", USER, True, "under 14"))
        self.assertEqual(self.ok(self.call("ListTemplates", "s", USER)), [[]], "exclusion erases the templates")
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [False])
        r = self.call("Enroll", "ssa{sv}", USER, self.notice_id(), {"confirm_age": harness.V("b", True)})
        self.assertDBusError(r, "org.faceauth.Error.Excluded", "Enroll while excluded")
        self.ok(self.call("SetExcluded", "sbs", USER, False, "checked: 16"))
        result, message, _, _ = self.enroll(USER, self.salley[:5], label="after")
        self.assertEqual(result, "enrolled", message)

    def test_a_later_notice_reaches_a_person_whose_face_login_is_off(self):
        # first incident: the template is tampered with; the notice is delivered
        self.flip_first_byte(0x80)
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual((result, "incident" in details), ("refused", True), details)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [False])
        # second incident while face login is off: the audit chain is edited; the
        # daemon finds the break at start-up and records it for every person
        def edit_audit(db):  # the append-only trigger is no obstacle to whoever owns the file
            db.execute("DROP TRIGGER audit_no_update")
            db.execute("UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 1")
        self.tamper_store(edit_audit)
        self.wait_for_chain_check()
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [True],
                         "the PAM module asks IsEnrolled first: a waiting notice must not be skipped")
        result, details = self.verify(USER)
        self.assertEqual(result, "refused", details)
        self.assertIn("incident", details)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [False], "delivered once")

    def test_an_edited_audit_log_alone_says_face_login_still_works(self):
        def edit_audit(db):
            db.execute("DROP TRIGGER audit_no_update")
            db.execute("UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 1")
        self.tamper_store(edit_audit)
        self.wait_for_chain_check()
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        # The wording agrees with the effect: the face data passed its checks and matches.
        self.assertEqual(result, "match", details)
        self.assertIn("incident", details)
        self.assertIn("face login still works", details["incident"])
        self.assertNotIn("disabled", details["incident"])
        result, details = self.verify(USER)
        self.assertNotIn("incident", details, "told once")

    def test_row_moved_to_another_user_is_refused(self):
        # the row is given to `bin` (name and uid): its associated data no longer fits
        bin_uid = pwd.getpwnam("bin").pw_uid
        self.tamper_store(lambda db: db.execute("UPDATE templates SET user = 'bin', uid = ? WHERE id = ?",
                                                (bin_uid, self.template_id)))
        self.set_camera(self.salley[5:])
        result, details = self.verify("bin")
        self.assertEqual(result, "refused", details)
        self.assertIn("incident", details)


if __name__ == "__main__":
    harness.main()
