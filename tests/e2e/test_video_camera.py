#!/usr/bin/env python3
"""The real daemon reading a recorded video as its camera: camera = y4m:FILE.

User `daemon` (an existing system account) is enrolled from the first 5 of the
11 photos of John_Salley through the usual photo-folder camera (dir:); the
configuration is then rewritten to camera = y4m:VIDEO and the daemon restarted.
The photo folder is emptied, so only the video can show a face. Videos are made
at test time with ffmpeg (yuv420p, 5 frames per second, one photo per frame):
  the other 6 John_Salley photos             -> "match"
  the 11 John_Simm photos                    -> "no-match"
  a 4:2:2 video (not supported)              -> "camera-unavailable", and the daemon
                                                log names the file and what is read
Needs ../shared/faces and ffmpeg (skips otherwise).
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

USER = "daemon"
RATE = 5


def count_frames(path):
    """Frames in a YUV4MPEG2 file of 8-bit 4:2:0 frames (checked against the header)."""
    with open(path, "rb") as f:
        header = f.readline().split()
        assert header[0] == b"YUV4MPEG2", header
        fields = {h[:1]: h[1:] for h in header[1:]}
        w, h = int(fields[b"W"]), int(fields[b"H"])
        frame = w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
        n = 0
        while True:
            line = f.readline()
            if not line:
                return n
            assert line.startswith(b"FRAME"), line[:16]
            assert len(f.read(frame)) == frame
            n += 1


class VideoCameraTest(harness.FaceAuthTestCase):
    CONFIG = {"verify_timeout_seconds": "10"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if shutil.which("ffmpeg") is None:
            raise unittest.SkipTest("ffmpeg is not installed (it makes the test videos)")

    video = None   # None: the harness's photo-folder camera (used for enrollment)

    def config_values(self):
        cfg = super().config_values()
        if self.video:
            cfg["camera"] = "y4m:" + self.video
        return cfg

    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")
        self.simm = harness.identity_photos("John_Simm")
        result, message, _, _ = self.enroll(USER, self.salley[:5], label="salley")
        self.assertEqual(result, "enrolled", "EnrollFinished: %s (%s)" % (result, message))
        self.set_camera([])   # from now on only a video can show a face
        self.videos = os.path.join(self.root, "videos")
        os.mkdir(self.videos)
        os.chmod(self.videos, 0o755)

    def make_video(self, name, photos, pix_fmt="yuv420p"):
        """A .y4m showing `photos` one per frame at RATE frames per second."""
        frames = os.path.join(self.videos, name + "-frames")
        os.mkdir(frames)
        for i, p in enumerate(photos):
            shutil.copyfile(p, os.path.join(frames, "%04d.jpg" % i))
        out = os.path.join(self.videos, name + ".y4m")
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                        "-framerate", str(RATE), "-i", os.path.join(frames, "%04d.jpg"),
                        "-pix_fmt", pix_fmt, "-f", "yuv4mpegpipe", out], check=True)
        shutil.rmtree(frames)
        os.chmod(out, 0o644)
        return out

    def use_video(self, path):
        """camera = y4m:PATH in the configuration, and the daemon restarted to read it."""
        self.video = path
        self.write_config()
        with open(self.config_path) as f:
            self.assertIn("camera = y4m:%s\n" % path, f.read())
        self.assertEqual(self.restart_daemon(), 0, "faceauthd should exit 0 on SIGTERM")

    def test_genuine_video_matches(self):
        video = self.make_video("salley", self.salley[5:])
        self.assertEqual(count_frames(video), 6)
        self.use_video(video)
        result, details = self.verify(USER)
        self.assertEqual(result, "match", details)
        self.assertGreaterEqual(details.get("frames", 0), 2, details)   # frames_needed = 2
        self.assertLessEqual(details.get("frames", 99), 6, details)
        # every job reads the file afresh: a second verification matches too
        result, details = self.verify(USER)
        self.assertEqual(result, "match", "second verification: %s" % details)

    def test_impostor_video_does_not_match(self):
        video = self.make_video("simm", self.simm)
        self.assertEqual(count_frames(video), 11)
        self.use_video(video)
        result, details = self.verify(USER)
        self.assertEqual(result, "no-match", details)
        self.assertGreaterEqual(details.get("frames", 0), 1, details)

    def test_unsupported_video_is_camera_unavailable(self):
        video = self.make_video("salley422", self.salley[5:], pix_fmt="yuv422p")
        self.use_video(video)
        result, details = self.verify(USER)
        self.assertEqual(result, "camera-unavailable", details)
        log = self.daemon.log()
        self.assertIn("video file %s has the colour space '422', which is not supported" % video,
                      log, log[-3000:])
        self.assertDaemonAnswers("after an unsupported video")


if __name__ == "__main__":
    harness.main()
