#!/usr/bin/env python3
"""A lockout that begins while another attempt waits for the camera wins over
that attempt's match (review finding: the lockout used to be checked only when
a job was queued, so queued logins got extra tries and a match could pass).

lockout_attempts = 1. Login A (root) runs against a stranger (John_Simm, paced
at 10 fps) and fails after 10 usable frames: that failure locks the account.
Login B is queued behind A. While A runs, photos of the enrolled person are
added to the camera folder under names that sort first; A keeps the file list
it read when it opened the camera, B reads the folder afresh and sees the
enrolled face first. B's frames match, but the lockout began before B's answer:
B must be answered "locked-out". Needs ../shared/faces.
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V, plain  # noqa: E402

USER = "daemon"


class LockoutRaceTest(harness.FaceAuthTestCase):
    CONFIG = {"lockout_attempts": "1", "lockout_seconds": "600", "frames_window": "10",
              "verify_timeout_seconds": "20"}
    CAMERA_OPTIONS = "fps=10"

    def test_a_lockout_that_began_while_waiting_wins_over_a_match(self):
        salley = harness.identity_photos("John_Salley")
        result, message, _, _ = self.enroll(USER, salley[:5])
        self.assertEqual(result, "enrolled", message)
        self.set_camera(harness.identity_photos("John_Simm"))   # files 0000_... 0010_...
        a = self.call_async("Verify", "sa{sv}", USER, {"timeout": V("u", 20)}, timeout=60)
        self.addCleanup(a.kill)
        time.sleep(0.3)
        b = self.call_async("Verify", "sa{sv}", USER, {"timeout": V("u", 20)}, timeout=60)
        self.addCleanup(b.kill)
        time.sleep(0.2)
        self.assertTrue(a.running() and b.running(), "both logins must be in flight")
        for i, p in enumerate(salley[5:]):                       # sort before 0000_
            dst = os.path.join(self.camera_dir, "-%02d_%s" % (i, os.path.basename(p)))
            shutil.copyfile(p, dst)
            os.chmod(dst, 0o644)
        ra = a.result(timeout=30)
        self.assertTrue(ra.ok, ra)
        self.assertEqual(ra.data[0], "no-match", ra)
        rb = b.result(timeout=30)
        self.assertTrue(rb.ok, rb)
        details = plain(rb.data[1])
        self.assertEqual(rb.data[0], "locked-out", "B saw the enrolled face after A locked the account: %s" % rb)
        self.assertIn("locked_until", details)
        export = self.ok(self.call("ExportPersonalData", "s", USER))[0]
        self.assertIn('"locked":true', export.replace(" ", ""))


if __name__ == "__main__":
    harness.main()
