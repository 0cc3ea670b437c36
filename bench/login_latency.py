#!/usr/bin/env python3
"""faceauth-login-latency: how long a face login takes, end to end, through the
real pam_faceauth.so, the real faceauthd (warm, models loaded once) and a
recorded camera on a private bus. Prints a table and one JSON line.

  sudo python3 bench/login_latency.py [RUNS]      (the build tree: build/, or $FACEAUTH_BUILD)

Measured per run (median and 95th percentile of RUNS, default 15):
  match      pam_authenticate with the enrolled face in view (PAM_SUCCESS, no password)
  fallback   the camera shows someone else: time until the password prompt
  cold start faceauthd from exec until Status reports the models loaded
             (SHA-256 check + deserialisation; paid once, not per login)
Needs root and ../shared/faces, like the end-to-end tests it borrows its harness from.
For scale: Howdy starts a Python process and loads the models for every login
(about 2 s per attempt reported by its users).
"""
import json
import os
import statistics
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("FACEAUTH_BUILD") or os.path.join(os.path.dirname(HERE), "build")
os.environ.setdefault("FACEAUTHD", os.path.join(BUILD, "daemon", "faceauthd"))
os.environ.setdefault("PAM_FACEAUTH", os.path.join(BUILD, "pam", "pam_faceauth.so"))
os.environ.setdefault("FACEAUTH_PAM_DRIVER", os.path.join(BUILD, "pam", "faceauth-pam-driver"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
import harness  # noqa: E402
import pam_support  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
USER = "daemon"
RESULTS = {}


def summary(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"median_ms": round(1000 * statistics.median(values), 1), "p95_ms": round(1000 * p95, 1),
            "runs": len(values)}


class LoginLatency(pam_support.PamMixin, harness.FaceAuthTestCase):
    CONFIG = {"verify_timeout_seconds": "5"}
    CAMERA_OPTIONS = "loop=1"

    def test_measure(self):
        self.pam_setup()
        self.write_passdb({USER: pam_support.PASSWORD})
        self.write_service("timeout=5")
        salley = harness.identity_photos("John_Salley")
        result, message, _, _ = self.enroll(USER, salley[:5])
        self.assertEqual(result, "enrolled", message)

        self.set_camera(salley[5:])
        match = []
        for _ in range(RUNS):
            run = self.run_pam(USER)
            self.assertEqual(run.rc(), "Success", run)
            self.assertEqual(run.prompts, [], "a face login must not ask for the password: %r" % run)
            match.append(run.of("authenticate")[0]["t"])

        self.set_camera(harness.identity_photos("John_Simm"))
        fallback = []
        for _ in range(RUNS):
            run = self.run_pam(USER, [pam_support.PASSWORD])
            self.assertEqual(run.rc(), "Success", run)
            self.assertIn("Face not recognised", run.texts(), run)
            fallback.append(run.prompts[0]["t"])
            self.ok(self.call("ResetLockout", "s", USER))   # measure no-match, not the lockout

        cold = []
        for _ in range(3):
            self.daemon.stop()
            t0 = time.monotonic()
            self.daemon.start()
            while self.status().get("models") != "ok":
                self.assertLess(time.monotonic() - t0, 30, "models never loaded")
                time.sleep(0.005)
            cold.append(time.monotonic() - t0)
        RESULTS.update(match=summary(match), fallback=summary(fallback), cold_start=summary(cold))


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LoginLatency)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
    if not result.wasSuccessful() or not RESULTS:
        sys.exit(1)
    print("%-52s %10s %10s" % ("", "median", "p95"))
    for key, what in (("match", "face login, enrolled face in view (PAM_SUCCESS)"),
                      ("fallback", "someone else in view: until the password prompt"),
                      ("cold_start", "faceauthd start until models verified and loaded")):
        r = RESULTS[key]
        print("%-52s %8.1f ms %7.1f ms" % (what, r["median_ms"], r["p95_ms"]))
    print("JSON: " + json.dumps(dict(tool="faceauth-login-latency", **RESULTS)))
