#!/usr/bin/env python3
"""The daemon under load (issue: reliability, point 5).

  20 clients (each its own process and connection, as `nobody`, enrolled) each
  make 100 verifications one after another, all at once: every call is
  answered, with a Verify result or org.faceauth.Error.Busy and nothing else,
  each within (queue_limit + 1) x verify_timeout_seconds + 5 s (a job waits at
  most for the jobs queued before it, each capped at the timeout, then runs its
  own); some verifications got the camera and matched; the daemon answers and
  is idle afterwards.
  10 000 sequential calls by `nobody` (Status, IsEnrolled, ListTemplates,
  GetConsent, GetNotice, Verify of itself not enrolled; a new connection every
  10 calls) and 50 camera verifications by root leave the daemon's open file
  count unchanged (margin 2) and its RSS within 4 MiB of what it was after a
  warm-up of the same calls (a leak of 420 bytes per call would exceed it).

Needs ../shared/faces (skips otherwise).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NOBODY = harness.UNPRIVILEGED_USER
CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "load_client.py")
VERIFY_RESULTS = {"match", "no-match", "no-face", "timeout", "cancelled", "spoof-suspected"}
RSS_MARGIN_KIB = 4096
FD_MARGIN = 2


class LoadTest(harness.FaceAuthTestCase):
    CONFIG = {"lockout_attempts": "50", "queue_limit": "4"}

    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")

    def client(self, as_user, *args):
        prefix = harness.as_user_prefix(as_user) if as_user else []
        return subprocess.Popen(prefix + [sys.executable, CLIENT, self.bus.socket] + [str(a) for a in args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, proc, timeout):
        out, err = proc.communicate(timeout=timeout)
        self.assertEqual(proc.returncode, 0, "load client failed: %s" % err)
        return json.loads(out.strip().splitlines()[-1])

    def daemon_usage(self):
        pid = self.daemon.proc.pid
        fds = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return fds, rss

    def settle(self):
        """Waits until no camera job runs and the audit walk (its own store
        connection) is done, so that fd counts compare like with like."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            st = self.status()
            if not st.get("busy") and st.get("audit_full_check") == "done":
                return
            time.sleep(0.1)
        self.fail("the daemon did not settle within 60 s")

    def test_20_clients_with_100_verifications_each_are_all_answered(self):
        result, message, _, _ = self.enroll(NOBODY, self.salley[:5], label="load")
        self.assertEqual(result, "enrolled", message)
        self.set_camera(self.salley[5:])
        cfg = self.config_values()
        bound = (int(cfg["queue_limit"]) + 1) * int(cfg["verify_timeout_seconds"]) + 5
        t0 = time.monotonic()
        procs = [self.client(NOBODY, "verify", 100) for _ in range(20)]
        reports = [self.finish(p, 900) for p in procs]
        took = time.monotonic() - t0
        results, errors = {}, {}
        for r in reports:
            self.assertEqual(r["answered"], 100, r)
            for k, v in r["results"].items():
                results[k] = results.get(k, 0) + v
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        worst = max(r["max_seconds"] for r in reports)
        sys.stdout.write("20 x 100 verifications in %.1f s: results %s, errors %s; slowest answer %.2f s "
                         "(bound %d s)\n" % (took, results, errors, worst, bound))
        self.assertLessEqual(set(results), VERIFY_RESULTS, results)
        self.assertLessEqual(set(errors), {"org.faceauth.Error.Busy"}, errors)
        self.assertEqual(sum(results.values()) + sum(errors.values()), 2000)
        self.assertGreaterEqual(results.get("match", 0), 20, "the camera did work under load: %s" % results)
        self.assertLess(worst, bound)
        self.assertDaemonAnswers("after the load")
        self.settle()

    def test_10000_sequential_calls_leave_open_files_and_rss_flat(self):
        result, message, _, _ = self.enroll("daemon", self.salley[:5], label="root-login")
        self.assertEqual(result, "enrolled", message)
        self.set_camera(self.salley[5:])

        def round_of(calls, verifications):
            mixed = self.client(NOBODY, "mixed", calls, 10)
            report = self.finish(mixed, 900)
            self.assertEqual(report["answered"], calls, report)
            self.assertEqual(report["results"].get("not-enrolled", 0), calls // 6 + (calls % 6 > 5), report)
            camera = self.finish(self.client(None, "verify", verifications, 1, "daemon"), 900)
            self.assertEqual(camera["results"].get("match", 0), verifications, camera)
            return report, camera

        round_of(1000, 10)           # warm-up: caches, allocator arenas, sd-bus pools
        self.settle()
        fds_before, rss_before = self.daemon_usage()
        report, camera = round_of(10000, 50)
        self.settle()
        fds_after, rss_after = self.daemon_usage()
        sys.stdout.write("10 000 calls in %.1f s (median %.1f ms, errors %s) + 50 camera verifications: "
                         "open files %d -> %d, RSS %d -> %d KiB (%+d KiB)\n"
                         % (report["seconds"], report["median_seconds"] * 1000, report["errors"],
                            fds_before, fds_after, rss_before, rss_after, rss_after - rss_before))
        self.assertEqual(report["errors"], {}, report)
        self.assertLessEqual(fds_after, fds_before + FD_MARGIN)
        if "ASAN_OPTIONS" in os.environ:
            # AddressSanitizer keeps freed memory in quarantine (256 MB by default),
            # so RSS grows by design; LeakSanitizer checks for leaks at exit instead.
            sys.stdout.write("RSS not compared: the daemon runs under AddressSanitizer\n")
            return
        self.assertLessEqual(rss_after, rss_before + RSS_MARGIN_KIB)


if __name__ == "__main__":
    harness.main()
