#!/usr/bin/env python3
"""pam_faceauth.so through real libpam, against the real faceauthd on a private bus.

Every transaction runs in faceauth-pam-driver under pam_wrapper with the stack
pam-auth-update builds on Debian (faceauth [success=2 default=ignore], then the
password module [success=1 default=ignore], pam_deny, pam_permit):
  * pam_matrix (from pam_wrapper, password file in the test's directory) for the
    sequential tests; pam_unix try_first_pass with a throwaway account for the
    parallel mode, because the point there is that the typed password reaches the
    next module as PAM_AUTHTOK.
  * "faceauth-only" (pam_faceauth required, alone) shows the module's own return
    code; PAM_IGNORE surfaces there as "Permission denied".
The account `daemon` is enrolled from 5 John_Salley photos, as in test_verify.py.
Needs root, ../shared/faces, libpam-wrapper, dbus-daemon (skips otherwise).
"""
import os
import pwd
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pam_support  # noqa: E402
from pam_support import PASSWORD, PamMixin  # noqa: E402

USER = "daemon"
NOT_ENROLLED = "bin"
TIMEOUT = 2            # the module's timeout= in the failure tests (seconds)
SLACK = 1.0            # "within timeout + 1 s"

SUCCESS = "Success"
AUTH_ERR = "Authentication failure"
AUTHINFO_UNAVAIL = "Authentication service cannot retrieve authentication info"
IGNORED = "Permission denied"     # PAM_IGNORE of a module alone in its stack

LOOKING = "Looking at the camera…"
NOT_RECOGNISED = "Face not recognised"
SPOOF = "Face not accepted: the camera may be seeing a photo or a screen; use your password"
NUAA = os.path.join(harness.SHARED_DIR, "liveness", "nuaa")


def nuaa_frames(kind, subject):
    d = os.path.join(NUAA, kind, subject)
    key = lambda f: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", f)]  # noqa: E731
    return [os.path.join(d, f) for f in sorted(os.listdir(d), key=key) if f.endswith(".jpg")]


def note(text):
    sys.stdout.write("    [timing] %s\n" % text)
    sys.stdout.flush()


class PamTestCase(PamMixin, harness.FaceAuthTestCase):
    ENROLL = USER

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = pam_support.missing_tools()
        if missing:
            raise unittest.SkipTest("missing: " + ", ".join(missing))

    def setUp(self):
        super().setUp()
        self.pam_setup()
        self.write_passdb({USER: PASSWORD, NOT_ENROLLED: PASSWORD})
        if not self.NEEDS_FACES:
            return
        self.salley = harness.identity_photos("John_Salley")
        self.simm = harness.identity_photos("John_Simm")
        self.dogs = [harness.scene_photo("dogs.jpg")]
        if self.ENROLL:
            result, message, self.template_id, _ = self.enroll(self.ENROLL, self.salley[:5], label="pam")
            self.assertEqual(result, "enrolled", message)

    def first_prompt_time(self, run):
        self.assertTrue(run.prompts, "no password prompt: %r" % run)
        return run.prompts[0]["t"]

    def assertPromptWithin(self, run, seconds, what):
        t = self.first_prompt_time(run)
        note("%s: password prompt after %.2f s (bound %.1f s)" % (what, t, seconds))
        self.assertLessEqual(t, seconds, "%s: the password prompt came after %.2f s: %r" % (what, t, run))
        return t

    def signal_daemon(self, sig):
        os.kill(self.daemon.proc.pid, sig)   # setpriv exec()s: this is faceauthd

    def continue_daemon_later(self):
        self.addCleanup(lambda: self.daemon.proc and self.daemon.proc.poll() is None
                        and os.kill(self.daemon.proc.pid, signal.SIGCONT))


@unittest.skipUnless(os.path.isdir(NUAA), "needs %s (set FACEAUTH_SHARED_DIR)" % NUAA)
class PrintedPhotoTest(PamTestCase):
    """A printed photo of the enrolled person (NUAA photo/ frames) held to the camera:
    refused with liveness required (the default), the person is told, the password follows."""

    ENROLL = None
    CONFIG = {"verify_timeout_seconds": "10", "min_face_pixels": "60"}

    def setUp(self):
        super().setUp()
        result, message, _, _ = self.enroll(USER, nuaa_frames("real", "0009")[:5], label="nuaa")
        self.assertEqual(result, "enrolled", message)
        self.write_service("timeout=8")

    def test_printed_photo_asks_for_the_password(self):
        self.set_camera(nuaa_frames("photo", "0009"))
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "the password must be asked: %r" % run)
        self.assertIn(("error", SPOOF), run.messages, run)

    def test_printed_photo_alone_does_not_log_in(self):
        self.set_camera(nuaa_frames("photo", "0009"))
        run = self.run_pam(USER, ["not the password"])
        self.assertEqual(run.rc(), AUTH_ERR, run)

    def test_the_live_person_needs_no_password(self):
        self.set_camera(nuaa_frames("real", "0009")[5:])
        run = self.run_pam(USER)
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.prompts, [], run)


NO_LIVENESS = "This login needs a liveness check the camera cannot provide; use your password"


class LivenessPolicyTest(PamTestCase):
    """require= per PAM service: by default (require=liveness) a face is accepted only with a
    liveness check; with liveness = off in the daemon the password follows, unless the
    administrator opts in with require=any. require=ir needs an IR camera (none supported)."""

    CONFIG = {"verify_timeout_seconds": "10", "liveness": "off"}

    def test_default_needs_liveness(self):
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5")
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "the password must be asked: %r" % run)
        self.assertIn(("error", NO_LIVENESS), run.messages, run)
        # Not an attempt: nothing counted.
        data = self.ok(self.call("ExportPersonalData", "s", USER))[0]
        self.assertIn('"failures":0', data.replace(" ", ""))

    def test_administrator_opts_in_with_require_any(self):
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5 require=any")
        run = self.run_pam(USER)
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.prompts, [], run)

    def test_require_ir_is_not_met_by_an_rgb_camera(self):
        self.daemon.stop()
        self.write_config(liveness="required")
        self.daemon.start()
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5 require=ir")
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, run)
        self.assertIn(("error", NO_LIVENESS), run.messages, run)

    def test_bad_require_value_is_invalid_argument(self):
        r = self.call("Verify", "sa{sv}", USER, {"require": harness.V("s", "fast")})
        self.assertDBusError(r, "org.faceauth.Error.InvalidArgument", "Verify(require=fast)")
        r = self.call("Verify", "sa{sv}", USER, {"require": harness.V("u", 1)})
        self.assertDBusError(r, "org.faceauth.Error.InvalidArgument", "Verify(require as u)")


class SequentialTest(PamTestCase):
    """The default mode: face first, the password module after it."""

    CONFIG = {"verify_timeout_seconds": "10"}

    def test_match_needs_no_password(self):
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5")
        run = self.run_pam(USER, account=True)
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.prompts, [], "a matching face must not be asked for a password: %r" % run)
        self.assertIn(("info", LOOKING), run.messages, run)
        self.assertEqual(run.rc("account"), SUCCESS, run)
        note("match: pam_authenticate returned after %.2f s" % run.of("authenticate")[0]["t"])

    def test_no_match_asks_password(self):
        self.set_camera(self.simm)
        self.write_service("timeout=5")
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, run)
        kinds = [(e["event"], e.get("text")) for e in run.events]
        self.assertIn(("error", NOT_RECOGNISED), kinds, run)
        self.assertLess(kinds.index(("error", NOT_RECOGNISED)), kinds.index(("prompt", "Password: ")), run)

    def test_no_match_wrong_password_fails(self):
        self.set_camera(self.simm)
        self.write_service("timeout=5")
        run = self.run_pam(USER, ["not the password"])
        self.assertEqual(run.rc(), AUTH_ERR, run)

    def test_max_tries(self):
        self.set_camera(self.simm)
        self.write_service("timeout=10 max-tries=2")      # fprintd's spelling
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.messages.count(("error", NOT_RECOGNISED)), 2, run)
        self.assertEqual(run.messages.count(("info", LOOKING)), 2, run)
        self.assertEqual(len(run.prompts), 1, run)

    def test_not_enrolled_is_silent(self):
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5")
        run = self.run_pam(NOT_ENROLLED, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.messages, [], "nothing may be shown to a user who is not enrolled: %r" % run)
        self.assertEqual(len(run.prompts), 1, run)

    def test_return_codes(self):
        self.write_only_service("timeout=5")
        cases = [(USER, self.salley[5:], SUCCESS, "match"),
                 (USER, self.simm, AUTH_ERR, "no-match"),
                 (USER, self.dogs * 3, AUTHINFO_UNAVAIL, "no-face"),
                 (NOT_ENROLLED, self.salley[5:], IGNORED, "not enrolled")]
        for user, photos, want, what in cases:
            with self.subTest(what):
                self.set_camera(photos)
                run = self.run_pam(user, service="faceauth-only")
                self.assertEqual(run.rc(), want, "%s: %r" % (what, run))
        self.daemon.stop()
        run = self.run_pam(USER, service="faceauth-only")
        self.assertEqual(run.rc(), AUTHINFO_UNAVAIL, "daemon absent: %r" % run)

    def test_zh_cn_conversation_translates_verdict_and_hint(self):
        # The daemon sends a hint code (dbus/faceauth-dbus.h); the module shows its
        # text from the catalogue, like the verdict. The build-tree copy of the module
        # reads the catalogue from build/client/locale (the installed one: share/locale).
        module = os.environ.get("PAM_FACEAUTH_BUILDTREE_LOCALE")
        if not module or not os.path.exists(module):
            self.skipTest("PAM_FACEAUTH_BUILDTREE_LOCALE (the build-tree locale copy of the module) is not set")
        self.set_camera(self.dogs * 3)
        self.write_service_lines(pam_support.SERVICE, [
            "auth [success=2 default=ignore] %s timeout=5" % module,
            "auth [success=1 default=ignore] %s passdb=%s" % (pam_support.PAM_MATRIX, self.passdb),
            "auth requisite %s" % pam_support.PAM_DENY,
            "auth required %s" % pam_support.PAM_PERMIT])
        run = self.run_pam(USER, answers=[PASSWORD], env={"LANGUAGE": "zh_CN"})
        self.assertEqual(run.of("authenticate")[0]["rc"], 0, run)   # PAM_SUCCESS (its name is translated too)
        texts = run.texts()
        self.assertIn("正在通过摄像头验证…", texts, run)   # Looking at the camera…
        self.assertIn("未检测到人脸", texts, run)          # No face seen (the verdict)
        self.assertIn("请看着摄像头", texts, run)          # look at the camera (the hint look-at-camera)
        self.assertFalse([t for t in texts if "look-at-camera" in t or "look at the camera" in t], run)
        # The same in English without LANGUAGE.
        run = self.run_pam(USER, answers=[PASSWORD])
        self.assertIn("look at the camera", run.texts(), run)

    def test_remote_sessions_are_skipped_silently(self):
        self.set_camera(self.salley[5:])          # the face would match
        self.write_service("timeout=5")
        cases = [("rhost 198.51.100.7", dict(rhost="198.51.100.7")),
                 ("rhost remote.example.org", dict(rhost="remote.example.org")),
                 ("SSH_CONNECTION", dict(env={"SSH_CONNECTION": "198.51.100.7 50000 192.0.2.1 22"})),
                 ("PAM_TTY=ssh", dict(tty="ssh"))]
        for what, kw in cases:
            with self.subTest(what):
                run = self.run_pam(USER, [PASSWORD], **kw)
                self.assertEqual(run.rc(), SUCCESS, run)
                self.assertEqual(run.messages, [], "%s: the camera must not be used: %r" % (what, run))
                self.assertEqual(len(run.prompts), 1, run)
        with self.subTest("rhost localhost is local"):
            run = self.run_pam(USER, rhost="localhost")
            self.assertEqual(run.rc(), SUCCESS, run)
            self.assertEqual(run.prompts, [], run)

    def test_breach_notice_is_shown_once(self):
        pam_support.tamper_template(self, self.template_id)
        self.set_camera(self.salley[5:])
        self.write_service("timeout=5 quiet")     # quiet: the notice is owed all the same
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "the password must still work: %r" % run)
        infos = [t for k, t in run.messages if k == "info"]
        self.assertEqual(len(infos), 1, "exactly the breach notice expected: %r" % run)
        self.assertGreater(len(infos[0]), 20, run)
        run = self.run_pam(USER, [PASSWORD])       # face auth is now off for the person
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.messages, [], "the notice is shown once: %r" % run)

    def test_account_clears_lockout_after_password_login(self):
        self.write_config(lockout_attempts=2, lockout_seconds=600)
        self.restart_daemon()
        self.set_camera(self.simm)
        self.write_service("timeout=5")
        for i in range(2):                        # two failures, password logins without account
            run = self.run_pam(USER, [PASSWORD])
            self.assertEqual(run.rc(), SUCCESS, run)
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "locked-out", "two failures must lock (lockout_attempts=2): %s" % details)
        run = self.run_pam(USER, [PASSWORD], account=True)
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertTrue(any("locked" in t for t in run.texts()), "no lockout message: %r" % run)
        self.assertEqual(run.rc("account"), SUCCESS, run)
        result, details = self.verify(USER)
        self.assertEqual(result, "match", "the account phase did not clear the lockout: %s" % details)

    def test_account_never_denies(self):
        self.set_camera(self.simm)
        self.write_service_lines(pam_support.SERVICE, [
            "auth [success=2 default=ignore] %s timeout=5" % pam_support.PAM_FACEAUTH,
            "auth [success=1 default=ignore] %s passdb=%s" % (pam_support.PAM_MATRIX, self.passdb),
            "auth requisite %s" % pam_support.PAM_DENY,
            "auth required %s" % pam_support.PAM_PERMIT,
            "account required %s timeout=%d" % (pam_support.PAM_FACEAUTH, TIMEOUT),
            "account required %s" % pam_support.PAM_PERMIT])
        proc = self.start_pam(USER, [(1500, PASSWORD)], account=True)
        try:
            self.assertIsNotNone(proc.wait_for('"prompt"'), "no password prompt")
            self.signal_daemon(signal.SIGSTOP)    # the daemon hangs before the account phase
            self.continue_daemon_later()
            run = proc.finish()
        finally:
            proc.kill()
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(run.rc("account"), SUCCESS, "account must never deny: %r" % run)
        account_t = run.of("account")[0]["t"] - run.of("authenticate")[0]["t"]
        note("account phase with a hung daemon took %.2f s (bound %d s)" % (account_t, TIMEOUT))
        self.assertLessEqual(account_t, TIMEOUT + SLACK, run)


class FailureTest(PamTestCase):
    """A daemon that dies, hangs or was never there costs at most timeout= seconds.
    The camera shows no face, in a loop, so a healthy Verify runs to its timeout."""

    CONFIG = {"verify_timeout_seconds": "10"}
    CAMERA_OPTIONS = "fps=4&loop=1"

    def setUp(self):
        super().setUp()
        self.set_camera(self.dogs)
        self.write_service("timeout=%d" % TIMEOUT)

    def test_daemon_killed_mid_verify(self):
        proc = self.start_pam(USER, [PASSWORD])
        try:
            self.assertIsNotNone(proc.wait_for(LOOKING), "Verify did not start")
            time.sleep(0.3)
            killed_at = time.monotonic() - proc.t0
            self.signal_daemon(signal.SIGKILL)
            run = proc.finish()
        finally:
            proc.kill()
        t = self.assertPromptWithin(run, TIMEOUT + SLACK, "daemon killed mid-verify")
        note("daemon killed at %.2f s, prompt %.2f s later" % (killed_at, t - killed_at))
        self.assertLess(t - killed_at, 1.0, run)
        self.assertEqual(run.rc(), SUCCESS, run)

    def test_daemon_stopped_before_the_call(self):
        self.signal_daemon(signal.SIGSTOP)
        self.continue_daemon_later()
        run = self.run_pam(USER, [PASSWORD])
        t = self.assertPromptWithin(run, TIMEOUT + SLACK, "daemon SIGSTOPped")
        self.assertGreaterEqual(t, TIMEOUT - 0.2, "gave up before the timeout? %r" % run)
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertNotIn(("info", LOOKING), run.messages, run)

    def test_daemon_stopped_mid_verify(self):
        proc = self.start_pam(USER, [PASSWORD])
        try:
            self.assertIsNotNone(proc.wait_for(LOOKING), "Verify did not start")
            self.signal_daemon(signal.SIGSTOP)
            self.continue_daemon_later()
            run = proc.finish()
        finally:
            proc.kill()
        self.assertPromptWithin(run, TIMEOUT + SLACK, "daemon SIGSTOPped mid-verify")
        self.assertEqual(run.rc(), SUCCESS, run)

    def test_daemon_never_started(self):
        self.daemon.stop()
        run = self.run_pam(USER, [PASSWORD])
        self.assertPromptWithin(run, 1.0, "no daemon on the bus")
        self.assertEqual(run.messages, [], run)
        self.assertEqual(run.rc(), SUCCESS, run)

    def test_no_bus_at_all(self):
        run = self.run_pam(USER, [PASSWORD], bus_address="unix:path=/nonexistent/faceauth-test-bus")
        self.assertPromptWithin(run, 1.0, "no bus")
        self.assertEqual(run.rc(), SUCCESS, run)

    def test_bus_hung(self):
        os.kill(self.bus.proc.pid, signal.SIGSTOP)
        self.addCleanup(lambda: self.bus.proc and os.kill(self.bus.proc.pid, signal.SIGCONT))
        run = self.run_pam(USER, [PASSWORD])
        os.kill(self.bus.proc.pid, signal.SIGCONT)
        self.assertPromptWithin(run, TIMEOUT + SLACK, "dbus-daemon SIGSTOPped")
        self.assertEqual(run.rc(), SUCCESS, run)

    def test_no_face_is_bounded_by_the_timeout(self):
        run = self.run_pam(USER, [PASSWORD])
        self.assertPromptWithin(run, TIMEOUT + SLACK, "healthy daemon, nobody in front of the camera")
        self.assertTrue(any(k == "error" for k, _ in run.messages), run)
        self.assertEqual(run.rc(), SUCCESS, run)


class ParallelTest(PamTestCase):
    """Option `parallel`: the password prompt is up while the camera runs. The
    password module is pam_unix try_first_pass, with a throwaway account."""

    PW_USER = "faceauth-pamtest"
    ENROLL = PW_USER
    CONFIG = {"verify_timeout_seconds": "10"}
    CAMERA_OPTIONS = "fps=2"     # a match takes about a second: a typed password can beat it

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pam_support.ensure_password_user(cls.PW_USER, PASSWORD)

    @classmethod
    def tearDownClass(cls):
        pam_support.remove_user(cls.PW_USER)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.write_service("parallel timeout=5", password_module="unix", account=False)

    def test_password_typed_first_wins(self):
        self.set_camera(self.salley[5:])
        run = self.run_pam(self.PW_USER, [(150, PASSWORD)])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "pam_unix must take the typed password (PAM_AUTHTOK): %r" % run)
        note("parallel, password typed after 0.15 s: done after %.2f s" % run.of("authenticate")[0]["t"])

    def test_wrong_password_typed_first_fails(self):
        self.set_camera(self.salley[5:])          # the face would have matched a little later
        run = self.run_pam(self.PW_USER, [(150, "wrong password")])
        self.assertEqual(run.rc(), AUTH_ERR, run)
        self.assertEqual(len(run.prompts), 1, run)

    def test_face_first_then_enter(self):
        self.set_camera(self.salley[5:])
        run = self.run_pam(self.PW_USER, [(3500, "")])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, run)
        self.assertTrue(any("Enter" in t for t in run.texts()), "the person must be told to press Enter: %r" % run)

    def test_face_first_then_typed_text(self):
        self.set_camera(self.salley[5:])
        run = self.run_pam(self.PW_USER, [(3500, "typed after the face matched")])
        self.assertEqual(run.rc(), SUCCESS, "the face arrived first and decides: %r" % run)

    def test_enter_then_no_match_asks_password(self):
        self.set_camera(self.simm)
        run = self.run_pam(self.PW_USER, ["", PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 2, "an empty answer must not reach pam_unix: %r" % run)
        self.assertIn(("error", NOT_RECOGNISED), run.messages, run)

    def test_daemon_absent_plain_password(self):
        self.daemon.stop()
        run = self.run_pam(self.PW_USER, [PASSWORD])
        self.assertPromptWithin(run, 1.0, "parallel mode, no daemon")
        self.assertEqual(len(run.prompts), 1, run)
        self.assertEqual(run.rc(), SUCCESS, run)


class StandInTest(PamTestCase):
    """A process owning org.faceauth.FaceAuth1 as an ordinary user, on a bus whose
    policy wrongly lets anybody own it, answering "match" to everything."""

    START_DAEMON = False
    NEEDS_FACES = False
    ENROLL = None

    def setUp(self):
        super().setUp()
        self.bus.stop()                 # replace the harness's bus with a permissive one
        policy = os.path.join(self.root, "permissive.conf")
        with open(policy, "w") as f:
            f.write(pam_support.PERMISSIVE_POLICY)
        os.chmod(policy, 0o644)
        bus_dir = os.path.join(self.root, "bus2")
        os.mkdir(bus_dir)
        os.chmod(bus_dir, 0o755)
        self.bus = harness.PrivateBus(bus_dir, policy_file=policy)
        self.address = self.bus.start()
        self.addCleanup(self.bus.stop)
        self.fake = pam_support.FakeDaemon(self.address, harness.UNPRIVILEGED_USER)
        self.addCleanup(self.fake.stop)

    def test_stand_in_is_not_believed(self):
        self.write_only_service("timeout=%d" % TIMEOUT)
        run = self.run_pam(USER, service="faceauth-only")
        self.assertEqual(run.rc(), AUTHINFO_UNAVAIL, run)
        self.write_service("timeout=%d" % TIMEOUT)
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "the password must be asked: %r" % run)
        self.assertEqual(run.messages, [], run)

    def test_control_believed_when_its_user_is_named(self):
        # Proves the refusal above comes from the owner check: naming the
        # stand-in's user as the service user makes the module believe it.
        self.write_only_service("timeout=%d daemon_user=%s" % (TIMEOUT, harness.UNPRIVILEGED_USER))
        run = self.run_pam(USER, service="faceauth-only")
        self.assertEqual(run.rc(), SUCCESS, run)


class UserBusTest(PamTestCase):
    """The stand-in on a bus that an ordinary user runs (as a screen locker that
    is not setuid would reach through DBUS_SYSTEM_BUS_ADDRESS). Even with the
    stand-in's user named as the service user — which StandInTest's control shows
    is believed on a root-run bus — the module believes no bus that is not run
    by root or messagebus."""

    START_DAEMON = False
    NEEDS_FACES = False
    ENROLL = None

    def setUp(self):
        super().setUp()
        self.bus.stop()                 # replace the harness's bus with one the user runs
        user = harness.UNPRIVILEGED_USER
        pw = pwd.getpwnam(user)
        policy = os.path.join(self.root, "permissive.conf")
        with open(policy, "w") as f:
            f.write(pam_support.PERMISSIVE_POLICY)
        os.chmod(policy, 0o644)
        bus_dir = os.path.join(self.root, "userbus")
        os.mkdir(bus_dir)
        os.chown(bus_dir, pw.pw_uid, pw.pw_gid)
        config = harness.PrivateBus(bus_dir, policy_file=policy).config
        os.chmod(config, 0o644)
        proc = subprocess.Popen(harness.as_user_prefix(user) +
                                ["dbus-daemon", "--config-file=" + config, "--nofork", "--print-address"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

        def stop():
            proc.terminate()
            proc.wait(5)
            proc.stdout.close()
        self.addCleanup(stop)
        self.address = proc.stdout.readline().strip()
        self.assertTrue(self.address.startswith("unix:"), self.address)
        self.fake = pam_support.FakeDaemon(self.address, user)
        self.addCleanup(self.fake.stop)

    def test_a_bus_run_by_a_user_is_not_believed(self):
        self.write_only_service("timeout=%d daemon_user=%s" % (TIMEOUT, harness.UNPRIVILEGED_USER))
        run = self.run_pam(USER, service="faceauth-only")
        self.assertEqual(run.rc(), AUTHINFO_UNAVAIL, run)
        self.write_service("timeout=%d daemon_user=%s" % (TIMEOUT, harness.UNPRIVILEGED_USER))
        run = self.run_pam(USER, [PASSWORD])
        self.assertEqual(run.rc(), SUCCESS, run)
        self.assertEqual(len(run.prompts), 1, "the password must be asked: %r" % run)


@unittest.skipUnless(pam_support.which("valgrind"), "valgrind is not installed")
class ValgrindTest(PamTestCase):
    CONFIG = {"verify_timeout_seconds": "10"}

    def valgrind_run(self, options, answers=()):
        log = os.path.join(self.root, "valgrind.log")
        self.write_service(options)
        run = self.run_pam(USER, answers, account=True, env={"PAM_WRAPPER_DISABLE_DEEPBIND": "1"},
                           prefix=["valgrind", "--quiet", "--leak-check=full",
                                   "--show-leak-kinds=definite,indirect,possible",
                                   "--errors-for-leak-kinds=definite,indirect,possible",
                                   "--error-exitcode=99", "--keep-debuginfo=yes", "--log-file=" + log],
                           timeout=180, check=False)
        with open(log) as f:
            report = f.read()
        return run, report

    def check(self, run, report, what):
        self.assertEqual(report.strip(), "", "%s: valgrind reported:\n%s" % (what, report[-6000:]))
        self.assertEqual(run.returncode, 0, "valgrind or the driver failed: %r" % run)
        self.assertEqual(run.rc(), SUCCESS, run)
        note("%s under valgrind: clean (no errors, no leaks), %.1f s" % (what, run.elapsed))

    def test_match_is_clean(self):
        self.set_camera(self.salley[5:])
        run, report = self.valgrind_run("timeout=20")
        self.check(run, report, "match")

    def test_parallel_no_match_then_password_is_clean(self):
        self.set_camera(self.simm)
        run, report = self.valgrind_run("parallel timeout=20", ["", PASSWORD])
        self.check(run, report, "parallel, Enter, no-match, password")


if __name__ == "__main__":
    harness.main()
