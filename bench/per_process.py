#!/usr/bin/env python3
"""faceauth-per-process: faceauth's warm daemon against the per-process design
(Howdy, or any PAM module that recognises in the caller), attempt by attempt
in one run (issue #16). Prints a table, the medians and one JSON line.

  sudo python3 bench/per_process.py [ATTEMPTS] [--no-other]   (build/, or $FACEAUTH_BUILD)

Each attempt, in turn:
  faceauth     pam_authenticate through the real pam_faceauth.so and a warm
               faceauthd on a private bus (login_latency.py's harness): from the
               call to PAM_SUCCESS (the driver's own timing)
  per-process  faceauth-oneshot (bench/oneshot.cc) from exec to exit: a fresh
               process loads the same models with the daemon's own CameraWorker,
               reads the same configuration file, opens the same camera, decides
               with the same threshold, k, n and liveness, and exits
ratio = per-process / faceauth, per attempt. The camera for both: login_latency.py
--webcam's y4m video, 640x480 paced at 30 fps, of NUAA webcam frames (subject 0009
enrolled from 5 frames, the video of the rest); liveness as the daemon's default
configuration (required). The per-process side reads its template from a file
that --enroll wrote from the same 5 frames (0600, in a private temporary folder,
deleted at the end). One attempt of each before the measured ones is not counted
(page cache, the daemon's first run). Unless --no-other: the same with subject
0010 in view (no match: faceauth until the password prompt, per-process until exit).
Needs root, ../shared/liveness (FACEAUTH_SHARED_DIR), ffmpeg and the build's
faceauthd, pam_faceauth.so, faceauth-pam-driver and bench/faceauth-oneshot.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import login_latency  # noqa: E402  (sets FACEAUTHD, PAM_FACEAUTH, ... from FACEAUTH_BUILD)
from login_latency import USER, summary  # noqa: E402
import pam_support  # noqa: E402

ONESHOT = os.environ.get("FACEAUTH_ONESHOT") or os.path.join(login_latency.BUILD, "bench", "faceauth-oneshot")
_numbers = [a for a in sys.argv[1:] if a.isdigit()]
ATTEMPTS = int(_numbers[0]) if _numbers else 20
OTHER = "--no-other" not in sys.argv[1:]
RESULTS = {}


def oneshot(args):
    """Runs faceauth-oneshot; (seconds from exec to exit, exit status, its JSON, stderr)."""
    t0 = time.monotonic()
    p = subprocess.run([ONESHOT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace", timeout=120)
    elapsed = time.monotonic() - t0
    report = {}
    for line in p.stdout.splitlines():
        if line.startswith("JSON: "):
            report = json.loads(line[6:])
    return elapsed, p.returncode, report, p.stderr


class PerProcess(login_latency.LoginLatency):  # its harness, PAM set-up and video maker
    test_measure = None  # login_latency's own measurement is not run here

    def use_video(self, name, frames):
        """The daemon (restarted, models loaded) and the per-process side both get this video."""
        self.video = self.make_video(name, frames)
        self.write_config()
        self.restart_daemon()
        while self.status().get("models") == "loading":
            time.sleep(0.01)

    def attempts(self, template, match):
        rows = []
        for i in range(ATTEMPTS + 1):   # the first is not counted
            if match:
                run = self.run_pam(USER)
                self.assertEqual(run.rc(), "Success", run)
                self.assertEqual(run.prompts, [], "a face login must not ask for the password: %r" % run)
                fa = run.of("authenticate")[0]["t"]
            else:
                run = self.run_pam(USER, [pam_support.PASSWORD])
                self.assertEqual(run.rc(), "Success", run)
                self.assertIn("Face not recognised", run.texts(), run)
                fa = run.prompts[0]["t"]
                self.ok(self.call("ResetLockout", "s", USER))   # measure no-match, not the lockout
            pp, code, report, err = oneshot(["--config", self.config_path, "--template", template])
            if match:
                self.assertEqual((code, report.get("result")), (0, "match"), err)
            else:
                self.assertEqual(code, 1, err)
                self.assertNotEqual(report.get("result"), "match", err)
            if i:
                rows.append(dict(faceauth_ms=round(1000 * fa, 1), faceauth_driver_ms=round(1000 * run.elapsed, 1),
                                 per_process_ms=round(1000 * pp, 1), ratio=round(pp / fa, 2),
                                 per_process_result=report.get("result"),
                                 per_process_models_ms=report.get("models_ms"),
                                 per_process_attempt_ms=report.get("attempt_ms")))
        return rows

    def test_side_by_side(self):
        if not os.access(ONESHOT, os.X_OK):
            self.fail("%s is missing (ninja -C BUILD faceauth-oneshot, or set FACEAUTH_ONESHOT)" % ONESHOT)
        self.pam_setup()
        self.write_passdb({USER: pam_support.PASSWORD})
        self.write_service("timeout=5")
        own, other = self.nuaa("0009"), self.nuaa("0010")
        result, message, _, _ = self.enroll(USER, own[:5])
        self.assertEqual(result, "enrolled", message)
        # The per-process design's template file (it has no service to keep it):
        # 0600 in a private folder, deleted however the run ends.
        private = tempfile.mkdtemp(prefix="faceauth-oneshot-template-")
        self.addCleanup(shutil.rmtree, private, True)
        template = os.path.join(private, "template")
        self.use_video("own", own[5:])
        _, code, report, err = oneshot(["--config", self.config_path, "--enroll"] + own[:5] + ["--out", template])
        self.assertEqual((code, report.get("result")), (0, "enrolled"), err)
        self.assertEqual(os.stat(template).st_mode & 0o777, 0o600)
        try:
            RESULTS["match"] = self.attempts(template, match=True)
            if OTHER:
                self.use_video("other", other)
                RESULTS["other"] = self.attempts(template, match=False)
        finally:
            os.unlink(template)
        RESULTS["liveness"] = self.status().get("liveness") or "required"


def report(key, what):
    rows = RESULTS[key]
    print("\n%s (%d attempts)" % (what, len(rows)))
    print("%7s %12s %15s %7s" % ("attempt", "faceauth ms", "per-process ms", "ratio"))
    for i, r in enumerate(rows, 1):
        print("%7d %12.1f %15.1f %6.1fx" % (i, r["faceauth_ms"], r["per_process_ms"], r["ratio"]))
    fa = summary([r["faceauth_ms"] / 1000 for r in rows])
    pp = summary([r["per_process_ms"] / 1000 for r in rows])
    ratio = statistics.median(r["ratio"] for r in rows)
    models = round(statistics.median(r["per_process_models_ms"] for r in rows), 1)
    attempt = round(statistics.median(r["per_process_attempt_ms"] for r in rows), 1)
    print("%7s %12.1f %15.1f" % ("median", fa["median_ms"], pp["median_ms"]))
    print("%7s %12.1f %15.1f" % ("p95", fa["p95_ms"], pp["p95_ms"]))
    print("median of the per-attempt ratios: %.1fx (lowest %.1fx); per-process median: models %.0f ms, "
          "attempt after loading %.0f ms" % (ratio, min(r["ratio"] for r in rows), models, attempt))
    return dict(faceauth=fa, per_process=pp, ratio_median=round(ratio, 2),
                ratio_min=min(r["ratio"] for r in rows), per_process_models_median_ms=models,
                per_process_attempt_median_ms=attempt, attempts=rows)


if __name__ == "__main__":
    if not os.path.isdir(login_latency.NUAA):
        sys.exit("faceauth-per-process needs %s (set FACEAUTH_SHARED_DIR)" % login_latency.NUAA)
    # login_latency.LoginLatency.show() is not used; its WEBCAM flag does not matter here.
    sys.argv[1:] = []
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(PerProcess)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
    if not result.wasSuccessful() or "match" not in RESULTS:
        sys.exit(1)
    print("camera: y4m 640x480 at 30 fps (NUAA); liveness %s; faceauth = pam_authenticate with a warm "
          "faceauthd, per-process = faceauth-oneshot exec to exit" % RESULTS["liveness"])
    out = dict(tool="faceauth-per-process", camera="y4m 640x480 at 30 fps (NUAA)", liveness=RESULTS["liveness"],
               match=report("match", "enrolled face in view (faceauth: PAM_SUCCESS; per-process: match)"))
    if "other" in RESULTS:
        out["other"] = report("other", "someone else in view (faceauth: until the password prompt; "
                                       "per-process: until exit with no match)")
    print("JSON: " + json.dumps(out))
