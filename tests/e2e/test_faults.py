#!/usr/bin/env python3
"""Faults while the real daemon works (issue: reliability, point 4).

  kill -9 at random points of an enrollment, FACEAUTH_FAULT_ROUNDS rounds (5 in
  the test suite, 50 with scripts/faults.sh): PRAGMA integrity_check is ok,
  every template row has its "enrolled" audit entry and there is one active
  consent; after the restart the audit chain verifies (full walk), the store
  is "ok", every template is listed, every confirmed enrollment
  (EnrollFinished "enrolled" seen) is still there, and the face matches
  the file-size limit (RLIMIT_FSIZE of the running daemon) reached during an
  enrollment: a clear error, nothing written (integrity ok, same rows), the
  daemon keeps answering, and enrolls once the limit is lifted
  a model file replaced by another file: at start the daemon names the file and
  the SHA-256 mismatch (Status, log) and uses no camera; while running the
  models already verified stay in use and the next start refuses the file
  the recorded source removed mid-capture: dir: -> camera-unavailable naming
  the file, the daemon serves on; y4m: -> the open video plays on, the next job
  names the missing file

Needs ../shared/faces (skips otherwise).
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

USER = "daemon"
ROUNDS = int(os.environ.get("FACEAUTH_FAULT_ROUNDS", "5"))


def salley():
    return harness.identity_photos("John_Salley")


class FaultCase(harness.FaceAuthTestCase):
    CONFIG = {"verify_timeout_seconds": str(int(10 * harness.TIME_SCALE)), "lockout_attempts": "50"}

    def db_path(self):
        return os.path.join(self.state_dir, "store.db")

    def offline_check(self):
        """With the daemon stopped: integrity_check, the user's template ids,
        the template ids of the user's "enrolled" audit entries (written in
        the same transaction as the template), and the user's consent rows."""
        db = sqlite3.connect(self.db_path())
        try:
            ok = db.execute("PRAGMA integrity_check").fetchall()
            ids = sorted(r[0] for r in db.execute("SELECT id FROM templates WHERE user = ?", (USER,)))
            audited = sorted(r[0] for r in db.execute(
                "SELECT template_id FROM audit WHERE user = ? AND event = 'enrolled'", (USER,)))
            consents = db.execute("SELECT COUNT(*) FROM consent WHERE user = ? AND withdrawn_at IS NULL",
                                  (USER,)).fetchone()[0]
        finally:
            db.close()
        for name in os.listdir(self.state_dir):   # sqlite may have made -wal/-shm as root
            os.chown(os.path.join(self.state_dir, name), self.service_pw.pw_uid, self.service_pw.pw_gid)
        return ok, ids, audited, consents

    def wait_full_audit_check(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            st = self.status()
            if st.get("audit_full_check") == "done":
                return st
            time.sleep(0.1)
        self.fail("the full audit walk did not finish within 60 s")

    def wait_models_loaded(self):
        deadline = time.monotonic() + 60
        while self.status().get("models") == "loading" and time.monotonic() < deadline:
            time.sleep(0.1)

    def listed_ids(self):
        data = self.ok(self.call("ListTemplates", "s", USER), "ListTemplates")[0]
        return sorted(t[0] for t in data)

    def start_enroll(self, photos, label):
        self.set_camera(photos)
        nid = self.notice_id()
        r = self.call("Enroll", "ssa{sv}", USER, nid,
                      {"confirm_age": V("b", True), "label": V("s", label),
                       "method": V("s", "tests/e2e faults")})
        return self.ok(r, "Enroll")[0]


class KillDuringEnrollmentTest(FaultCase):
    CAMERA_OPTIONS = "fps=8"     # an enrollment takes about a second: room for kills inside it

    def enroll_and_kill(self, label, at):
        """Starts an enrollment, kills the daemon `at` seconds after Enroll
        answered (None: no kill). Returns (EnrollFinished data or None, the
        seconds from Enroll's answer to EnrollFinished or None)."""
        finished, took = None, None
        with harness.SignalMonitor(self.address) as mon:
            job = self.start_enroll(salley()[:5], label)
            t0 = time.monotonic()
            deadline = t0 + (at if at is not None else 120)
            while finished is None:
                msg = mon.next(deadline - time.monotonic())
                if msg is None:
                    break
                data = msg.get("payload", {}).get("data", [])
                if msg.get("member") == "EnrollFinished" and data and data[0] == job:
                    finished, took = data[1:], time.monotonic() - t0
            if at is not None:
                left = t0 + at - time.monotonic()
                if left > 0:
                    time.sleep(left)
                self.daemon.stop(signal.SIGKILL)
                while finished is None:        # an answer already on its way
                    msg = mon.next(0.3)
                    if msg is None:
                        break
                    data = msg.get("payload", {}).get("data", [])
                    if msg.get("member") == "EnrollFinished" and data and data[0] == job:
                        finished = data[1:]
        return finished, took

    def test_kill_9_at_random_points_of_an_enrollment(self):
        rng = random.Random(int(os.environ.get("FACEAUTH_FAULT_SEED", "14")))
        # How long an enrollment's job takes here, to spread the kills over it
        # (each round starts once the models are loaded, as this one does).
        self.wait_models_loaded()
        finished, duration = self.enroll_and_kill("first", None)
        self.assertIsNotNone(finished, "the first enrollment did not finish")
        self.assertEqual(finished[0], "enrolled", finished)
        confirmed = [finished[2]]
        outcomes = {"killed before the answer": 0, "killed after the answer": 0}
        for n in range(ROUNDS):
            at = rng.uniform(0.0, 1.1 * duration)
            self.wait_models_loaded()
            finished, _ = self.enroll_and_kill("round-%d" % n, at)
            self.assertEqual(self.daemon.returncode, -signal.SIGKILL)
            if finished and finished[0] == "enrolled":
                confirmed.append(finished[2])
                outcomes["killed after the answer"] += 1
            else:
                outcomes["killed before the answer"] += 1
            ok, rows, audited, consents = self.offline_check()
            what = "round %d, killed %.2f s into a %.2f s enrollment" % (n, at, duration)
            self.assertEqual(ok, [("ok",)], what)
            for tid in confirmed:
                self.assertIn(tid, rows, "%s: confirmed template %d lost" % (what, tid))
            self.assertEqual(audited, rows, "%s: templates and their audit entries differ" % what)
            self.assertEqual(consents, len(rows), "%s: each enrollment records its consent" % what)
            self.daemon.start()
            st = self.wait_full_audit_check()
            self.assertEqual(st.get("audit_chain"), "ok", "%s: %s" % (what, st))
            self.assertEqual(st.get("store"), "ok", "%s: %s" % (what, st))
            self.assertEqual(self.listed_ids(), rows, what)
            self.set_camera(salley()[5:])
            result, details = self.verify(USER)
            self.assertEqual(result, "match", "%s: %s" % (what, details))
        rows = self.listed_ids()
        sys.stdout.write("%d kills over a %.2f s enrollment: %s; %d enrollments confirmed, %d stored\n"
                         % (ROUNDS, duration, outcomes, len(confirmed), len(rows)))


class FileSizeLimitTest(FaultCase):
    def file_size_limit(self, pid, new=None):
        """prlimit(2) of the running daemon, done as the service user (a
        process may read and change the limits of another with the same uids;
        root would need CAP_SYS_RESOURCE, which a container may not grant).
        Returns the (soft, hard) limits in force before."""
        code = ("import resource; print(*resource.prlimit(%d, resource.RLIMIT_FSIZE%s))"
                % (pid, "" if new is None else ", (%d, %d)" % new))
        out = subprocess.run(harness.as_user_prefix(harness.SERVICE_USER) + [sys.executable, "-c", code],
                             check=True, capture_output=True, text=True).stdout.split()
        return int(out[0]), int(out[1])

    def test_enrollment_at_the_file_size_limit_stores_nothing_and_the_daemon_serves_on(self):
        result, message, tid, _ = self.enroll(USER, salley()[:5], label="before")
        self.assertEqual(result, "enrolled", message)
        pid = self.daemon.proc.pid                    # setpriv exec()s: this is faceauthd
        before = self.file_size_limit(pid)
        self.file_size_limit(pid, (1, before[1]))     # no file may grow past 1 byte
        self.assertEqual(self.file_size_limit(pid), (1, before[1]))
        try:
            result, message, new_id, _ = self.enroll(USER, salley()[:5], label="limited")
            sys.stdout.write("at the limit: %s: %s\n" % (result, message))
            self.assertEqual(result, "error", message)
            self.assertEqual(new_id, 0)
            self.assertIn("could not be written", message)
            self.assertIn("nothing was stored", message)
            self.assertTrue(self.daemon.alive(), "faceauthd died at the file-size limit (SIGXFSZ?)")
            self.assertDaemonAnswers("at the file-size limit")
            self.assertEqual(self.listed_ids(), [tid])
        finally:
            self.file_size_limit(pid, before)
        result, message, new_id, _ = self.enroll(USER, salley()[:5], label="after")
        self.assertEqual(result, "enrolled", "once the limit is lifted: %s" % message)
        self.assertEqual(self.listed_ids(), sorted([tid, new_id]))
        self.set_camera(salley()[5:])
        self.assertEqual(self.verify(USER)[0], "match")
        self.daemon.stop()
        ok, rows, audited, consents = self.offline_check()
        self.assertEqual(ok, [("ok",)])
        self.assertEqual(rows, sorted([tid, new_id]))
        self.assertEqual(audited, rows)
        self.assertEqual(consents, 2)


class ModelReplacedTest(FaultCase):
    REPLACED = "faceplugin_fr_liveness.onnx"
    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.models = os.path.join(self.root, "models")
        os.mkdir(self.models)
        src = harness.model_dir_for_service_user()
        for f in harness.MODEL_FILES:
            if os.path.exists(os.path.join(src, f)):
                shutil.copyfile(os.path.join(src, f), os.path.join(self.models, f))
        os.chmod(self.models, 0o755)
        for f in os.listdir(self.models):
            os.chmod(os.path.join(self.models, f), 0o644)
        self.write_config(model_dir=self.models)

    def replace_model(self):
        """Another (valid, but different) file put in place of the liveness network."""
        tmp = os.path.join(self.models, ".replacement")
        shutil.copyfile(os.path.join(self.models, "faceplugin_fr_feature.onnx"), tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(self.models, self.REPLACED))

    def assertRefusesTheFile(self):
        self.wait_models_loaded()
        st = self.status()
        self.assertIn(self.REPLACED, st.get("models", ""), st)
        self.assertIn("SHA-256", st.get("models", ""), st)
        log = self.daemon.log()
        self.assertIn(self.REPLACED, log)
        result, details = self.verify(USER)
        self.assertIn(result, ("camera-unavailable", "liveness-unavailable"), details)

    def test_replaced_before_start_is_refused_by_name(self):
        self.start_daemon()
        result, message, _, _ = self.enroll(USER, salley()[:5])
        self.assertEqual(result, "enrolled", message)
        self.daemon.stop()
        self.replace_model()
        self.start_daemon()
        self.set_camera(salley()[5:])
        self.assertRefusesTheFile()
        sys.stdout.write("models: %s\n" % self.status().get("models"))

    def test_replaced_while_running_keeps_the_verified_models_until_the_next_start(self):
        self.start_daemon()
        result, message, _, _ = self.enroll(USER, salley()[:5])
        self.assertEqual(result, "enrolled", message)
        self.replace_model()
        self.set_camera(salley()[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "match", "models verified and loaded at start stay in use: %s" % details)
        self.assertEqual(self.status().get("models"), "ok")
        self.assertEqual(self.restart_daemon(), 0)
        self.assertRefusesTheFile()


class SourceRemovedTest(FaultCase):
    CAMERA_OPTIONS = "fps=5"

    def test_dir_source_removed_mid_capture(self):
        result, message, _, _ = self.enroll(USER, salley()[:5])
        self.assertEqual(result, "enrolled", message)
        self.set_camera([harness.scene_photo("dogs.jpg")], repeat=40)   # no face: runs on
        call = self.call_async("Verify", "sa{sv}", USER, {})
        time.sleep(1.0)
        self.assertTrue(call.running())
        for f in os.listdir(self.camera_dir):
            os.unlink(os.path.join(self.camera_dir, f))
        reply = call.result()
        self.assertTrue(reply.ok, reply)
        sys.stdout.write("dir: source emptied mid-capture: %s\n" % reply.data[0])
        self.assertEqual(reply.data[0], "camera-unavailable", reply.data)
        self.assertIn(self.camera_dir, self.daemon.log())
        self.assertDaemonAnswers("after the source went away")
        self.set_camera(salley()[5:])
        self.assertEqual(self.verify(USER)[0], "match")

    def test_y4m_source_removed_mid_capture(self):
        if shutil.which("ffmpeg") is None:
            self.skipTest("ffmpeg is not installed (it makes the test video)")
        result, message, _, _ = self.enroll(USER, salley()[:5])
        self.assertEqual(result, "enrolled", message)
        video = os.path.join(self.root, "scene.y4m")
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1",
                        "-framerate", "5", "-t", "6", "-i", harness.scene_photo("dogs.jpg"),
                        "-vf", "scale=320:240", "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", video],
                       check=True)
        os.chmod(video, 0o644)
        self.write_config(camera="y4m:%s?fps=5" % video)
        self.restart_daemon()
        self.wait_models_loaded()     # else the job would wait for them, the video not yet open
        call = self.call_async("Verify", "sa{sv}", USER, {})
        time.sleep(1.0)
        self.assertTrue(call.running())
        os.unlink(video)
        reply = call.result()
        self.assertTrue(reply.ok, reply)
        sys.stdout.write("y4m: file removed mid-capture: %s (the open file plays on)\n" % reply.data[0])
        self.assertIn(reply.data[0], ("no-face", "timeout"), reply.data)
        result, _ = self.verify(USER)
        self.assertEqual(result, "camera-unavailable")
        self.assertIn(video, self.daemon.log())
        self.assertDaemonAnswers("after the video went away")


if __name__ == "__main__":
    harness.main()
