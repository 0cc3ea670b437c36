#!/usr/bin/env python3
"""Bus policy (dbus/org.faceauth.FaceAuth1.conf) on a private system-like bus.

Proves, without the daemon: only the service user faceauth and root may own
org.faceauth.FaceAuth1; an ordinary user (nobody) or another system account
(daemon) is refused by the bus itself, so no user process can pose as faceauthd.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class BusPolicyTest(harness.FaceAuthTestCase):
    NEEDS_FACES = False
    START_DAEMON = False

    def request_name(self, user):
        # RequestName(name, flags=0): 1 = now primary owner
        return harness.busctl(self.address, ["call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "RequestName", "su",
                                             harness.BUS_NAME, "0"],
                              as_user=user, method="RequestName")

    def test_service_user_may_own_the_name(self):
        r = self.request_name(harness.SERVICE_USER)
        self.assertEqual(self.ok(r, "RequestName as faceauth"), [1])

    def test_root_may_own_the_name(self):
        r = self.request_name("root")
        self.assertEqual(self.ok(r, "RequestName as root"), [1])

    def test_unprivileged_user_may_not_own_the_name(self):
        r = self.request_name(harness.UNPRIVILEGED_USER)
        self.assertDBusError(r, "org.freedesktop.DBus.Error.AccessDenied", "RequestName as nobody")

    def test_other_system_account_may_not_own_the_name(self):
        r = self.request_name("daemon")
        self.assertDBusError(r, "org.freedesktop.DBus.Error.AccessDenied", "RequestName as daemon")

    def test_unprivileged_user_can_reach_the_bus(self):
        r = harness.busctl(self.address, ["call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                          "org.freedesktop.DBus", "GetId"],
                           as_user=harness.UNPRIVILEGED_USER, method="GetId")
        self.ok(r, "GetId as nobody")

    def test_policy_file_is_well_formed(self):
        import xml.etree.ElementTree as ET
        root = ET.parse(harness.POLICY_FILE).getroot()
        self.assertEqual(root.tag, "busconfig")
        owners = {p.get("user") for p in root.findall("policy")
                  if any(a.get("own") == harness.BUS_NAME for a in p.findall("allow"))}
        self.assertEqual(owners, {"root", harness.SERVICE_USER})
        default = [p for p in root.findall("policy") if p.get("context") == "default"]
        self.assertEqual(len(default), 1)
        for a in default[0]:
            self.assertEqual(a.get("send_destination"), harness.BUS_NAME,
                             "default-context rules only open the faceauth name: %s" % a.attrib)
            self.assertIsNone(a.get("own"))


if __name__ == "__main__":
    harness.main()
