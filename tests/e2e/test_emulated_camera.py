#!/usr/bin/env python3
"""The real daemon capturing from a V4L2 camera: the emulated UVC camera of
tests/emulated_camera preloaded into faceauthd (LD_PRELOAD), so the daemon's
V4L2 code, libv4l2 and libv4lconvert run unchanged against a user-space
webcam (YUYV/MJPEG, 30 fps, three dark warm-up frames) and an IR node (GREY,
emitter lighting every other frame). The camera's recorded material is the
harness's camera folder: NUAA webcam frames (640x480) copied there.

  enroll from the camera, own frames -> "match", someone else's -> "no-match";
  the camera is opened for each job and closed when it ends (YUYV 640x480
  chosen automatically, MJPEG 1280x720 when configured)
  busy at open (another program has it) -> "camera-unavailable", the reason logged
  unplugged mid-capture (ENODEV)          -> "camera-unavailable" at once, the daemon
                                             keeps serving, works again once back
  a stuck driver (no frame)               -> answered within the deadline, camera freed
  IR node (GREY, USB ID listed in ir_usb_ids, emitter switched on by its UVC
  extension-unit control), emitter on every other frame -> dark frames
  skipped, the emitter pairs make the attempt live, require=ir met; no strobe
  (lit in every frame) -> spoof-suspected; the same node unlisted -> not IR,
  require=ir -> liveness-unavailable without taking a frame

Needs ../shared/faces, ../shared/liveness and the emulated camera library
(FACEAUTH_EMULATED_CAMERA_LIB, set by CMake); skips otherwise.
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

LIB = os.environ.get("FACEAUTH_EMULATED_CAMERA_LIB", "")
FACEAUTHCTL = os.environ.get("FACEAUTHCTL") or os.path.join(harness.SOURCE_DIR, "build", "client", "faceauthctl")
LOCALEDIR = os.environ.get("FACEAUTH_LOCALEDIR") or os.path.join(os.path.dirname(FACEAUTHCTL), "locale")
NUAA = os.path.join(harness.SHARED_DIR, "liveness", "nuaa")
WEBCAM = "/dev/video-emulated0"
IR = "/dev/video-emulated1"
USER = "daemon"
IR_USB_ID = "04f2:b67c"
EMITTER = "14:6:0103020000000000"   # the emulated IR camera's emitter control (unit:selector:bytes)


def natural_key(path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", os.path.basename(path))]


def frames(subject):
    d = os.path.join(NUAA, "real", subject)
    return sorted((os.path.join(d, f) for f in os.listdir(d) if f.endswith(".jpg")), key=natural_key)


@unittest.skipUnless(os.path.isdir(NUAA), "needs %s (set FACEAUTH_SHARED_DIR)" % NUAA)
@unittest.skipUnless(os.path.isfile(LIB), "needs the emulated camera library "
                     "(FACEAUTH_EMULATED_CAMERA_LIB=%r, set by CMake)" % LIB)
class EmulatedCameraCase(harness.FaceAuthTestCase):
    CONFIG = {"verify_timeout_seconds": str(int(10 * harness.TIME_SCALE)), "min_face_pixels": "60",
              "lockout_attempts": "50"}
    CAMERA = "v4l2:" + WEBCAM

    def daemon_env(self):
        # setUp has made self.root and the camera folder; the emulation's
        # configuration must exist before the daemon starts.
        self.control = os.path.join(self.root, "camera-control")
        os.mkdir(self.control)
        os.chmod(self.control, 0o755)
        self.events_path = os.path.join(self.root, "camera-events")
        with open(self.events_path, "w"):
            pass
        os.chown(self.events_path, self.service_pw.pw_uid, self.service_pw.pw_gid)
        conf = os.path.join(self.root, "emulated-camera.conf")
        with open(conf, "w") as f:
            f.write("device = %s\nkind = webcam\nframes = %s\ncontrol = %s\nevents = %s\nwarmup = 3\n"
                    % (WEBCAM, self.camera_dir, self.control, self.events_path))
            f.write("device = %s\nkind = ir\nemitter = alternate\nframes = %s\ncontrol = %s\n"
                    "events = %s\nwarmup = 2\nusb_id = %s\nemitter_control = %s\n"
                    % (IR, self.camera_dir, self.control, self.events_path, IR_USB_ID, EMITTER))
        os.chmod(conf, 0o644)
        self.emulation_env = {"LD_PRELOAD": LIB, "FACEAUTH_EMULATED_CAMERA": conf}
        return dict(self.emulation_env)

    def config_values(self):
        cfg = super().config_values()
        cfg["camera"] = self.CAMERA
        return cfg

    # -- the emulation

    def switch(self, name, on):
        path = os.path.join(self.control, name)
        if on:
            open(path, "w").close()
        elif os.path.exists(path):
            os.unlink(path)

    def events(self):
        with open(self.events_path) as f:
            return [l.strip() for l in f if l.strip()]

    def assertCameraReleased(self, what):
        ev = self.events()
        opens = sum(1 for e in ev if e == "open")
        closes = sum(1 for e in ev if e == "close")
        self.assertEqual(opens, closes, "%s: the camera is still open: %s" % (what, ev[-8:]))
        self.assertEqual(ev[-1] if ev else "close", "close", what)

    def enroll_own_face(self):
        result, message, _, _ = self.enroll(USER, frames("0009")[:5], label="emulated")
        self.assertEqual(result, "enrolled", message)

    def assertMatchesAgain(self, what):
        """The enrolled person's other frames in view: the camera works again."""
        self.set_camera(frames("0009")[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", "%s: %s" % (what, details))

    def frame_seconds(self):
        """Wall time per frame of a 5-frame TestVerify on the current material."""
        t0 = time.monotonic()
        r = self.call("TestVerify", "sa{sv}", USER, {"frames": V("u", 5)}, timeout=120)
        self.ok(r, "TestVerify")
        return (time.monotonic() - t0) / 5


class WebcamTest(EmulatedCameraCase):
    def test_match_and_no_match_with_the_camera_opened_per_job(self):
        self.enroll_own_face()
        ev = self.events()
        self.assertIn("open", ev, "enrollment did not open the camera: %s" % ev)
        streamon = [e for e in ev if e.startswith("streamon")]
        self.assertTrue(streamon, ev)
        sys.stdout.write("negotiated: %s\n" % streamon[0])
        self.assertCameraReleased("after the enrollment")

        before = len(self.events())
        self.set_camera(frames("0009")[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        job = self.events()[before:]
        self.assertEqual(job.count("open"), 1, job)
        self.assertTrue(any(e.startswith("frame ") for e in job), job)
        self.assertCameraReleased("after a match")

        self.set_camera(frames("0010"))
        result, details = self.verify(USER)
        self.assertEqual(result, "no-match", details)
        self.assertCameraReleased("after a no-match")

    def test_busy_camera_is_camera_unavailable_with_the_reason(self):
        self.enroll_own_face()
        self.switch("busy", True)
        result, details = self.verify(USER)
        self.assertEqual(result, "camera-unavailable", details)
        self.assertIn("the camera is busy; another program is using it", self.daemon.log())
        result, message, _, _ = self.enroll(USER, frames("0009")[:5], label="busy")
        self.assertEqual(result, "camera-unavailable", message)
        self.assertIn("busy; another program is using it", message)
        self.assertIn("nothing was stored", message)
        self.switch("busy", False)
        self.assertMatchesAgain("once the other program let go")

    def test_unplugged_mid_capture_answers_at_once_and_works_once_back(self):
        self.enroll_own_face()
        self.set_camera([])          # grey frames, no face: the attempt runs until unplugged
        per_frame = self.frame_seconds()
        bound = 1.0 + 2 * per_frame
        mark = len(self.events())
        call = self.call_async("Verify", "sa{sv}", USER, {})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sum(1 for e in self.events()[mark:] if e.startswith("frame ")) >= 4:
                break
            time.sleep(0.05)
        self.assertTrue(call.running(), "Verify ended before the unplug")
        self.switch("unplugged", True)
        t0 = time.monotonic()
        reply = call.result()
        answered = time.monotonic() - t0
        self.assertTrue(reply.ok, reply)
        self.assertEqual(reply.data[0], "camera-unavailable", reply.data)
        sys.stdout.write("unplugged: answered %.2f s after (bound %.2f s = 1 s + 2 x %.2f s per frame)\n"
                         % (answered, bound, per_frame))
        self.assertLess(answered, bound)
        self.assertIn("the device is gone; the camera was probably unplugged", self.daemon.log())
        self.assertCameraReleased("after the unplug")
        self.assertDaemonAnswers("after the unplug")

        result, _ = self.verify(USER)
        self.assertEqual(result, "camera-unavailable", "still unplugged")
        self.assertIn("camera device %s does not exist" % WEBCAM, self.daemon.log())

        self.switch("unplugged", False)
        self.assertMatchesAgain("plugged in again")

    def test_stuck_camera_is_answered_within_the_deadline_and_freed(self):
        self.enroll_own_face()
        self.switch("stuck", True)
        t0 = time.monotonic()
        result, details = self.verify(USER, timeout=8)
        took = time.monotonic() - t0
        sys.stdout.write("stuck camera: %s after %.2f s\n" % (result, took))
        # The source gives up after its frame timeout (timeout_ms, 2 s by
        # default), well inside the verification's own deadline.
        self.assertEqual(result, "camera-unavailable", details)
        self.assertLess(took, 8.0)
        self.assertGreaterEqual(took, 1.9)
        self.assertIn("sent no frame within 2000 ms", self.daemon.log())
        self.assertCameraReleased("after the stuck attempt")
        self.switch("stuck", False)
        self.assertMatchesAgain("no longer stuck")


class MjpegWebcamTest(EmulatedCameraCase):
    """The webcam's MJPEG stream at 1280x720, decoded by the daemon itself."""
    CAMERA = "v4l2:%s?format=mjpeg&width=1280&height=720" % WEBCAM

    def test_mjpeg_at_1280x720_matches(self):
        self.enroll_own_face()
        self.set_camera(frames("0009")[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        self.assertIn("streamon MJPG 1280x720", self.events())
        self.assertCameraReleased("after the MJPEG match")


class InfraredTest(EmulatedCameraCase):
    """An IR node (GREY only) whose USB ID the administrator listed and whose
    emitter needs its UVC extension-unit control: liveness comes from the
    emitter's on/off frame pairs, and PAM's require=ir is met."""
    CONFIG = dict(EmulatedCameraCase.CONFIG, ir_usb_ids=IR_USB_ID)
    CAMERA = "v4l2:%s?format=grey&emitter=%s" % (IR, EMITTER)

    def verify_requiring(self, require):
        r = self.call("Verify", "sa{sv}", USER, {"require": V("s", require)}, timeout=90)
        data = self.ok(r, "Verify(require=%s)" % require)
        return data[0], harness.plain(data[1])

    def test_emitter_pairs_make_the_attempt_live_and_meet_require_ir(self):
        self.enroll_own_face()
        st = self.status()
        self.assertEqual(st.get("camera_ir"), "yes: greyscale only and USB ID %s listed in ir_usb_ids"
                         % IR_USB_ID, st)
        self.assertIn("emitter on", self.events())
        self.set_camera(frames("0009")[5:])
        r = self.call("TestVerify", "sa{sv}", USER, {"frames": V("u", 12)}, timeout=120)
        result, test_frames = self.ok(r, "TestVerify")
        reasons = [f[0] for f in test_frames]
        dark = sum(1 for x in reasons if x.startswith("frame too dark"))
        usable = [f for f in test_frames if f[1]]
        sys.stdout.write("IR TestVerify: %s; %d frames, %d dark, %d usable, live %s\n"
                         % (result, len(reasons), dark, len(usable), [f[4] for f in usable]))
        self.assertGreaterEqual(dark, 3, reasons)
        self.assertGreaterEqual(len(usable), 2, reasons)
        self.assertEqual(result, "match", reasons)
        # The first lit frame is not counted (-1); the others were lit by the emitter (1).
        self.assertEqual(usable[0][4], -1, usable)
        self.assertIn(1, [f[4] for f in usable[1:]], usable)
        self.assertTrue(any(e.startswith("streamon GREY") for e in self.events()))
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        result, details = self.verify_requiring("ir")
        self.assertEqual(result, "match", "require=ir on a listed IR camera: %s" % details)

    def test_no_strobe_between_lit_frames_is_spoof_suspected(self):
        # A face seen without the emitter's off frames (lit by ambient infrared,
        # or a camera whose emitter does not strobe) cannot show the pair.
        self.enroll_own_face()
        self.switch("emitter-steady", True)
        self.set_camera(frames("0009")[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "spoof-suspected", details)
        self.switch("emitter-steady", False)
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)


class CamerasVerbTest(EmulatedCameraCase):
    """faceauthctl cameras against the emulated nodes (preloaded into it too)."""
    CONFIG = dict(EmulatedCameraCase.CONFIG, ir_usb_ids=IR_USB_ID)
    CAMERA = "v4l2:%s?format=grey&emitter=%s" % (IR, EMITTER)
    NEEDS_FACES = False

    def ctl(self, *args, language=None):
        env = dict(self.emulation_env, PATH="/usr/bin:/bin", LANG="C.UTF-8", FACEAUTH_LOCALEDIR=LOCALEDIR)
        env.update(harness.sanitizer_env())
        if "ASAN_OPTIONS" in env:     # the preloaded library comes before the sanitizer runtime
            env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        if language:
            env["LANGUAGE"] = language
        p = subprocess.run([FACEAUTHCTL, "cameras", "--config", self.config_path] + list(args),
                           capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_lists_formats_usb_ids_and_which_counts_as_infrared(self):
        listed = json.loads(self.ctl("--json", WEBCAM, IR, "/dev/video-emulated-absent"))
        by_path = {c["path"]: c for c in listed}
        webcam, ir, absent = by_path[WEBCAM], by_path[IR], by_path["/dev/video-emulated-absent"]
        self.assertEqual(webcam["formats"], ["YUYV", "MJPG"])
        self.assertEqual(webcam["driver"], "uvcvideo")
        self.assertIsNone(webcam["usb_id"])
        self.assertFalse(webcam["ir"])
        self.assertEqual(webcam["ir_reason"], "offers the colour format YUYV")
        self.assertFalse(webcam["configured"])
        self.assertEqual(ir["formats"], ["GREY"])
        self.assertEqual(ir["usb_id"], IR_USB_ID)
        self.assertTrue(ir["ir"], ir)
        self.assertTrue(ir["configured"])
        self.assertIn("cannot look it up", absent["error"])
        self.assertFalse(absent["ir"])
        human = self.ctl(IR)
        sys.stdout.write(human)
        self.assertIn("%s  (the configured camera)" % IR, human)
        self.assertIn("infrared: yes (greyscale only and USB ID %s listed in ir_usb_ids)" % IR_USB_ID, human)
        zh = self.ctl(WEBCAM, language="zh_CN")
        self.assertIn("红外：否（offers the colour format YUYV）", zh)
        # The daemon decides the same for its camera (asked once its models are loaded).
        deadline = time.monotonic() + 60
        while self.status().get("camera_ir") == "not asked yet" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(self.status().get("camera_ir", "").startswith("yes: "), self.status())


class UnlistedInfraredTest(EmulatedCameraCase):
    """The same IR node with its USB ID not listed: it is not an IR camera for
    faceauth (whatever its name says), and require=ir is not met."""
    CONFIG = dict(EmulatedCameraCase.CONFIG, liveness="off", ir_usb_ids="5986:1141")
    CAMERA = "v4l2:%s?format=grey&emitter=%s" % (IR, EMITTER)

    def test_an_unlisted_greyscale_camera_is_not_ir(self):
        self.enroll_own_face()
        st = self.status()
        self.assertEqual(st.get("camera_ir"), "no: greyscale only, but its USB ID %s is not listed in "
                         "ir_usb_ids" % IR_USB_ID, st)
        # With liveness off the face alone decides, and the dark frames are skipped.
        self.set_camera(frames("0009")[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        r = self.call("Verify", "sa{sv}", USER, {"require": V("s", "ir")}, timeout=90)
        self.assertEqual(self.ok(r, "Verify(require=ir)")[0], "liveness-unavailable")


class UnlistedInfraredLivenessTest(EmulatedCameraCase):
    CONFIG = dict(EmulatedCameraCase.CONFIG, ir_usb_ids="5986:1141")
    CAMERA = "v4l2:%s?format=grey&emitter=%s" % (IR, EMITTER)

    def test_require_ir_on_an_unlisted_camera_takes_no_frame(self):
        self.enroll_own_face()   # enrolling needs no liveness
        mark = len(self.events())
        r = self.call("Verify", "sa{sv}", USER, {"require": V("s", "ir")}, timeout=90)
        data = self.ok(r, "Verify(require=ir)")
        self.assertEqual(data[0], "liveness-unavailable", data)
        self.assertEqual(harness.plain(data[1]).get("hint"), "needs-ir-camera")
        self.assertFalse([e for e in self.events()[mark:] if e.startswith("frame ")],
                         "no frame may be taken for an answer known before")
        self.assertIn("this login needs an infrared camera; the camera no: greyscale only, but its USB ID",
                      self.daemon.log())



if __name__ == "__main__":
    harness.main()
