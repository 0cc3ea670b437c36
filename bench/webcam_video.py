"""The recorded webcam the latency benchmarks show the daemon: NUAA's real webcam frames
(../shared/liveness/nuaa/real, FACEAUTH_SHARED_DIR) made into a 640x480 y4m video paced at
30 fps, the camera setting `y4m:FILE?loop=1`. A mixin for harness.FaceAuthTestCase: set
`video` and config_values() points the daemon's camera at it. Needs ffmpeg."""
import os
import shutil
import subprocess

import harness

NUAA = os.path.join(harness.SHARED_DIR, "liveness", "nuaa", "real")


class WebcamVideo:
    video = None

    def config_values(self):
        cfg = super().config_values()
        if self.video:
            cfg["camera"] = "y4m:%s?loop=1" % self.video
        return cfg

    def nuaa(self, subject):
        """The subject's frames, in name order."""
        d = os.path.join(NUAA, subject)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".jpg"))

    def make_video(self, name, frames):
        """A 640x480 y4m of `frames` at 30 fps (each frame shown once, looped by the source)."""
        d = os.path.join(self.root, name)
        os.mkdir(d)
        for i, f in enumerate(frames):
            shutil.copyfile(f, os.path.join(d, "%04d.jpg" % i))
        out = os.path.join(self.root, name + ".y4m")
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-framerate", "30",
                        "-i", os.path.join(d, "%04d.jpg"), "-vf", "scale=640:480", "-pix_fmt", "yuv420p",
                        "-f", "yuv4mpegpipe", out], check=True)
        os.chmod(out, 0o644)
        return out
