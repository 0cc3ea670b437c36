#!/usr/bin/env python3
"""faceauthctl through a real polkitd on the private bus.

Same set-up as test_polkit.py (polkitd 122 started by root on the test bus, the
project's action file installed for the test, a per-test rules file), but the
calls are made by the built faceauthctl as nobody, so the client's
allow-interactive-authorization calls and its error messages meet a polkit
that really answers:
  * without a grant polkit refuses and the message names the action
    (org.faceauth.manage for test, org.faceauth.enroll-self for enroll) and
    nothing is stored;
  * with org.faceauth.manage, nobody may run `test` and read another account;
  * with org.faceauth.enroll-self, nobody's typed consent is recorded and the
    capture runs (the empty camera ends it: exit 9, no template).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import polkit_support  # noqa: E402
from polkit_support import ALLOW_NOBODY  # noqa: E402
import test_client  # noqa: E402



class ClientPolkitTest(polkit_support.PolkitMixin, test_client.ClientTestCase):
    def test_without_a_grant_polkit_refuses_and_the_action_is_named(self):
        self.start_polkitd("")
        p = self.ran(self.ctl("test", as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)
        self.assertNotIn("could not be asked", p.stderr, "polkit must have answered")
        p = self.ran(self.ctl("enroll", stdin="yes\nyes\n", as_user="nobody"), code=4)
        self.assertIn("org.faceauth.enroll-self", p.stderr)
        self.assertEqual(self.json_of(self.ctl("consent", "--json", as_user="nobody"))["records"], [])
        p = self.ran(self.ctl("list", "--user", test_client.USER, as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)

    def test_manage_grant_lets_nobody_test_and_read_another_account(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.manage")
        r = self.json_of(self.ctl("test", "--user", test_client.USER, "--json", as_user="nobody"), code=5)
        self.assertEqual(r["result"], "not-enrolled")
        self.assertEqual(self.json_of(self.ctl("list", "--user", test_client.USER, "--json", as_user="nobody")),
                         {"user": test_client.USER, "templates": []})

    def test_enroll_self_grant_without_a_face_records_nothing(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.enroll-self")
        p = self.ran(self.ctl("enroll", "--json", stdin="yes\nyes\n", as_user="nobody"), code=9)
        out = json.loads(p.stdout)
        self.assertEqual(out["result"], "timeout", out)     # the camera folder is empty
        self.assertIsNone(out["template_id"])
        # The consent is recorded with the template, atomically: a capture that did
        # not complete leaves no (orphan) consent behind.
        self.assertEqual(self.json_of(self.ctl("consent", "--json", as_user="nobody"))["records"], [])
        self.assertEqual(self.json_of(self.ctl("list", "--json", as_user="nobody"))["templates"], [])

    @harness.skip_without_faces("an enrollment that completes needs the shared face photos")
    def test_enroll_self_grant_records_the_typed_consent_with_the_template(self):
        self.start_polkitd(ALLOW_NOBODY % "org.faceauth.enroll-self")
        # With the person in view: enrolled, one consent record, typed.
        self.set_camera(harness.identity_photos("John_Salley")[:5])
        out = self.json_of(self.ctl("enroll", "--json", stdin="yes\nyes\n", as_user="nobody"))
        self.assertEqual(out["result"], "enrolled", out)
        rec = self.json_of(self.ctl("consent", "--json", as_user="nobody"))["records"]
        self.assertEqual(len(rec), 1, rec)
        self.assertIn("typed yes", rec[0]["method"])
        self.assertEqual(len(self.json_of(self.ctl("list", "--json", as_user="nobody"))["templates"]), 1)


if __name__ == "__main__":
    harness.main()
