#!/usr/bin/env python3
"""Start-up and shutdown of faceauthd on the private bus.

- a bad configuration (unknown key, value out of range) stops the daemon with a
  non-zero exit and a message naming the file and the key;
- a state directory the service user cannot write stops it with a message naming it;
- a configuration file writable by others, or owned by another user, is refused with
  the owner/mode found and the fix;
- run as a user the bus policy does not let own the name (nobody), it cannot take
  org.faceauth.FaceAuth1 and exits non-zero;
- a second instance does not displace the running one and exits non-zero;
- SIGTERM stops it promptly with exit status 0.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

EXIT_WAIT = 15


class StartupTest(harness.FaceAuthTestCase):
    NEEDS_FACES = False
    START_DAEMON = False

    def run_to_exit(self, daemon):
        daemon.start(wait=False)
        try:
            code = daemon.proc.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            owned = daemon.name_owned()
            daemon.stop()
            self.fail("faceauthd still runs %d s after start (owns the name: %s); its output:\n%s"
                      % (EXIT_WAIT, owned, daemon.log()))
        daemon.stop()
        return code, daemon.log()

    def test_unknown_key_is_refused(self):
        with open(self.config_path, "a") as f:
            f.write("no_such_key = 1\n")
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn("no_such_key", log)
        self.assertIn(self.config_path, log)

    def test_value_out_of_range_is_refused(self):
        self.write_config(frames_window="0")
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn("frames_window", log)

    def test_configuration_others_can_write_is_refused(self):
        # It chooses the camera: whoever can write it could point it at their photos.
        os.chmod(self.config_path, 0o666)
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn(self.config_path, log)
        self.assertIn("writable by others", log)
        self.assertIn("chmod go-w", log)

    def test_configuration_owned_by_another_user_is_refused(self):
        os.chown(self.config_path, 65534, 65534)
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn("owned by uid 65534", log)

    def test_missing_config_file_is_refused(self):
        os.unlink(self.config_path)
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn(self.config_path, log)

    def test_unwritable_state_dir_is_refused(self):
        os.chown(self.state_dir, 0, 0)
        os.chmod(self.state_dir, 0o755)
        code, log = self.run_to_exit(self.daemon)
        self.assertNotEqual(code, 0, log)
        self.assertIn(self.state_dir, log)

    def test_user_without_the_policy_cannot_own_the_name(self):
        pw = harness.pwd.getpwnam(harness.UNPRIVILEGED_USER)
        os.chown(self.state_dir, pw.pw_uid, pw.pw_gid)
        d = harness.Daemon(self.address, self.config_path, os.path.join(self.root, "nobody.log"),
                           user=harness.UNPRIVILEGED_USER)
        code, log = self.run_to_exit(d)
        self.assertNotEqual(code, 0, log)
        self.assertFalse(self.daemon.name_owned())

    def test_second_instance_does_not_displace_the_first(self):
        self.start_daemon()
        first_owner = self.ok(harness.busctl(self.address, [
            "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "GetNameOwner", "s", harness.BUS_NAME], method="GetNameOwner"))
        other_state = os.path.join(self.root, "state2")
        os.mkdir(other_state, 0o700)
        os.chown(other_state, self.service_pw.pw_uid, self.service_pw.pw_gid)
        cfg2 = os.path.join(self.root, "faceauth2.conf")
        with open(self.config_path) as f, open(cfg2, "w") as g:
            g.write(f.read().replace(self.state_dir + "\n", other_state + "\n"))
        os.chmod(cfg2, 0o644)
        second = harness.Daemon(self.address, cfg2, os.path.join(self.root, "second.log"))
        code, log = self.run_to_exit(second)
        self.assertNotEqual(code, 0, "a second faceauthd should exit when the name is taken:\n" + log)
        owner = self.ok(harness.busctl(self.address, [
            "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "GetNameOwner", "s", harness.BUS_NAME], method="GetNameOwner"))
        self.assertEqual(owner, first_owner)
        self.assertDaemonAnswers("after a second instance tried")

    def test_sigterm_stops_promptly_with_status_0(self):
        self.start_daemon()
        self.assertDaemonAnswers()
        # Once the models are loaded: loading them (seconds on a loaded machine)
        # is not interrupted, and a stop waits for it to finish.
        deadline = time.monotonic() + 60
        while self.status().get("models") == "loading" and time.monotonic() < deadline:
            time.sleep(0.1)
        t0 = time.monotonic()
        code = self.daemon.stop()
        self.assertEqual(code, 0, "exit status after SIGTERM:\n" + self.daemon.log())
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertFalse(self.daemon.name_owned())


if __name__ == "__main__":
    harness.main()
