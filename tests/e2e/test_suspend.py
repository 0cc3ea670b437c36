#!/usr/bin/env python3
"""Suspend: when logind announces PrepareForSleep(true), faceauthd cancels its
camera jobs and closes the camera at once (no stale device claims after
resume, unlike fprintd's old bug). A stand-in logind (fake_logind.c) owns
org.freedesktop.login1 on the private bus and emits the signal. Needs
../shared/faces for the paced no-face camera.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

FAKE_LOGIND = os.environ.get("FAKE_LOGIND") or os.path.join(
    harness.SOURCE_DIR, "build", "tests", "faceauth-fake-logind")
LOGIND_POLICY = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><policy user="root"><allow own="org.freedesktop.login1"/></policy></busconfig>
"""


class SuspendTest(harness.FaceAuthTestCase):
    CAMERA_OPTIONS = "fps=10&loop=1"
    CONFIG = {"verify_timeout_seconds": str(min(60, int(30 * harness.TIME_SCALE)))}

    def _bus_policy(self, bus_dir):
        extra = os.path.join(bus_dir, "logind.conf")
        with open(extra, "w") as f:
            f.write(LOGIND_POLICY)
        self.EXTRA_BUS_POLICIES = (extra,)
        return super()._bus_policy(bus_dir)

    def test_prepare_for_sleep_cancels_the_running_verify(self):
        self.assertTrue(os.access(FAKE_LOGIND, os.X_OK), "build faceauth-fake-logind first: " + FAKE_LOGIND)
        result, message, _, _ = self.enroll("daemon", harness.identity_photos("John_Salley")[:5])
        self.assertEqual(result, "enrolled", message)
        self.set_camera([harness.scene_photo("dogs.jpg")], repeat=5)
        call = self.call_async("Verify", "sa{sv}", "daemon", {"timeout": V("u", 30)}, timeout=60)
        self.addCleanup(call.kill)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.status().get("busy"):
            time.sleep(0.05)
        self.assertTrue(self.status().get("busy"), "the Verify never started")
        t0 = time.monotonic()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        r = subprocess.run([FAKE_LOGIND], env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        reply = call.result(timeout=10)
        took = time.monotonic() - t0
        self.assertTrue(reply.ok, reply)
        self.assertEqual(reply.data[0], "cancelled", reply)
        self.assertLess(took, 2.0 * harness.TIME_SCALE, "the job ended %.1f s after PrepareForSleep" % took)
        self.assertEqual(self.status().get("busy"), False)
        self.assertDaemonAnswers("after the suspend")


if __name__ == "__main__":
    harness.main()
