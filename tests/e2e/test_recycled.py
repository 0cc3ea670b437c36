#!/usr/bin/env python3
"""A recycled account name (issue 13, point 5): an account enrolls, is deleted
with userdel, and a new account gets the same name with another uid. The new
account must not match the old person's face nor see their consent: Verify
answers not-enrolled, IsEnrolled is false, GetConsent and the audit log are
empty. The old rows are reported (Status former_accounts, ListFormerAccounts),
only an administrator may erase them (EraseFormerAccount), and the new account
can then enroll on its own. Real accounts (useradd/userdel), the real daemon
on a private bus. Needs ../shared/faces.
"""
import os
import pwd
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NAME = "fa-recycled-e2e"


def free_uid(start):
    uid = start
    while True:
        try:
            pwd.getpwuid(uid)
            uid += 1
        except KeyError:
            return uid


def remove_account():
    subprocess.run(["userdel", NAME], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def add_account(uid):
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--uid", str(uid), NAME],
                   check=True)
    return pwd.getpwnam(NAME).pw_uid


class RecycledNameTest(harness.FaceAuthTestCase):
    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")
        remove_account()
        self.addCleanup(remove_account)
        self.old_uid = add_account(free_uid(61000))

    def former_count(self, expected, seconds=15):
        """Status checks the store at most every 10 s: wait for it to count `expected`."""
        deadline = time.monotonic() + seconds
        while True:
            n = self.status().get("former_accounts")
            if n == expected or time.monotonic() > deadline:
                return n
            time.sleep(0.5)

    def former(self, as_user=None):
        return self.call("ListFormerAccounts", as_user=as_user)

    def test_a_new_account_with_a_deleted_accounts_name_sees_nothing(self):
        result, message, _, _ = self.enroll(NAME, self.salley[:5])
        self.assertEqual(result, "enrolled", message)
        self.set_camera(self.salley[5:])
        result, details = self.verify(NAME)
        self.assertEqual(result, "match", "the first account's own face must match: %s" % details)
        self.assertEqual(self.status().get("former_accounts"), 0)

        # userdel, then useradd with the same name and another uid
        remove_account()
        new_uid = add_account(free_uid(self.old_uid + 1))
        self.assertNotEqual(new_uid, self.old_uid)

        self.set_camera(self.salley[5:])
        result, details = self.verify(NAME)
        self.assertEqual(result, "not-enrolled", "the old person's face must not open the new account: %s" % details)
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", NAME)), [False])
        self.assertEqual(self.ok(self.call("GetConsent", "s", NAME)), [[]],
                         "the new account must not see the old person's consent")
        self.assertEqual(self.ok(self.call("ListTemplates", "s", NAME)), [[]])
        self.assertEqual(self.ok(self.call("GetAuditLog", "s", NAME)), [[]],
                         "the new account's log must not show the old person's history")

        # reported, to administrators only
        self.assertEqual(self.former_count(1), 1)
        self.assertDBusError(self.former(as_user=harness.UNPRIVILEGED_USER), "org.faceauth.Error.PermissionDenied",
                             "ListFormerAccounts by an ordinary user")
        accounts = self.ok(self.former())[0]
        self.assertEqual(len(accounts), 1, accounts)
        user, uid, uid_now, templates, consents, incidents = accounts[0]
        self.assertEqual((user, uid, uid_now, templates, consents), (NAME, self.old_uid, new_uid, 1, 1))
        self.assertDBusError(self.call("EraseFormerAccount", "s", NAME, as_user=harness.UNPRIVILEGED_USER),
                             "org.faceauth.Error.PermissionDenied", "EraseFormerAccount by an ordinary user")
        self.assertDBusError(self.call("EraseFormerAccount", "s", "Bad Name"), "org.faceauth.Error.InvalidArgument")

        # the administrator erases the old rows
        self.assertEqual(self.ok(self.call("EraseFormerAccount", "s", NAME)), [1, 1, 0])
        self.assertEqual(self.ok(self.former())[0], [])
        self.assertEqual(self.former_count(0), 0)
        self.assertDBusError(self.call("EraseFormerAccount", "s", NAME), "org.faceauth.Error.NotFound")
        entries = self.ok(self.call("GetAuditLog", "s", ""))[0]
        self.assertTrue(any(e[2] == "former-account-erased" and NAME in e[5] for e in entries), entries[-5:])

        # the new account enrolls on its own
        result, message, _, _ = self.enroll(NAME, self.salley[:5])
        self.assertEqual(result, "enrolled", message)
        self.set_camera(self.salley[5:])
        result, details = self.verify(NAME)
        self.assertEqual(result, "match", details)
        own = [e[2] for e in self.ok(self.call("GetAuditLog", "s", NAME))[0]]
        self.assertIn("enrolled", own)
        self.assertNotIn("former-account-erased", own)

    def test_the_rows_of_a_deleted_account_can_be_erased(self):
        result, message, _, _ = self.enroll(NAME, self.salley[:5])
        self.assertEqual(result, "enrolled", message)
        remove_account()
        accounts = self.ok(self.former())[0]
        self.assertEqual([(a[0], a[1], a[2]) for a in accounts], [(NAME, self.old_uid, -1)])
        self.assertEqual(self.ok(self.call("EraseFormerAccount", "s", NAME)), [1, 1, 0])
        self.assertEqual(self.ok(self.former())[0], [])


if __name__ == "__main__":
    harness.main()
