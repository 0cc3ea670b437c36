"""A real polkitd on the private test bus, for tests of authorization.

polkitd (Debian's 122) is started by root with DBUS_SYSTEM_BUS_ADDRESS pointing
at the test bus; the project's action file is installed in
/usr/share/polkit-1/actions for the test class and a per-test rules file in
/etc/polkit-1/rules.d, both removed afterwards. Mix PolkitMixin in before a
harness.FaceAuthTestCase subclass.
"""
import os
import shutil
import subprocess
import time
import unittest

import harness

POLKITD = "/usr/lib/polkit-1/polkitd"
ACTIONS_SRC = os.path.join(harness.SOURCE_DIR, "dbus", "org.faceauth.policy")
ACTIONS_DST = "/usr/share/polkit-1/actions/org.faceauth.policy"
RULES_DST = "/etc/polkit-1/rules.d/10-faceauth-e2e-test.rules"
POLKIT_BUS_POLICY = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"

# A rules file granting one action to the user nobody: ALLOW_NOBODY % action_id.
ALLOW_NOBODY = """
polkit.addRule(function(action, subject) {
    if (subject.user == "nobody" && action.id == "%s") {
        return polkit.Result.YES;
    }
});
"""


class PolkitMixin:
    EXTRA_BUS_POLICIES = (POLKIT_BUS_POLICY,)
    NEEDS_FACES = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path in (POLKITD, POLKIT_BUS_POLICY, ACTIONS_SRC):
            if not os.path.exists(path):
                raise unittest.SkipTest("polkitd or the action file is missing (%s)" % path)
        if os.path.exists(ACTIONS_DST):
            raise unittest.SkipTest("%s exists already (a real installation?); not touching it" % ACTIONS_DST)
        shutil.copyfile(ACTIONS_SRC, ACTIONS_DST)
        os.chmod(ACTIONS_DST, 0o644)

    @classmethod
    def tearDownClass(cls):
        if os.path.exists(ACTIONS_DST):
            os.unlink(ACTIONS_DST)
        super().tearDownClass()

    def start_polkitd(self, rules=""):
        """Start polkitd on the test bus with `rules` (JavaScript; "" for none)."""
        if rules:
            with open(RULES_DST, "w") as f:
                f.write(rules)
            os.chmod(RULES_DST, 0o644)
            self.addCleanup(lambda: os.path.exists(RULES_DST) and os.unlink(RULES_DST))
        log = open(os.path.join(self.root, "polkitd.log"), "w")
        self.addCleanup(log.close)
        proc = subprocess.Popen([POLKITD, "--no-debug"], env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address),
                                stdout=log, stderr=log)

        self.addCleanup(harness.stop_process, proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = self.call("GetNameOwner", "s", "org.freedesktop.PolicyKit1", dest="org.freedesktop.DBus",
                          path="/org/freedesktop/DBus", interface="org.freedesktop.DBus")
            if r.ok:
                return
            time.sleep(0.1)
        self.fail("polkitd did not take its bus name")
