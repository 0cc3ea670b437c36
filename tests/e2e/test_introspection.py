#!/usr/bin/env python3
"""The live daemon's introspection equals dbus/org.faceauth.FaceAuth1.xml.

`busctl introspect --xml-interface` of the running faceauthd is parsed with
xml.etree and compared with the XML in the repository for the
org.faceauth.FaceAuth1 interface: methods with their arguments (name, type,
direction, in order), signals with their arguments, properties with type and
access. Comments, annotations and the standard org.freedesktop.DBus.*
interfaces are ignored. So the documented API and the implemented one cannot
drift apart.

ContractHeaderTest (no daemon): every error, result, option key, detail key,
property and hint code that the XML documents is in dbus/faceauth-dbus.h, the
header the daemon, faceauthctl and the PAM module take them from, and the
header holds nothing the XML does not document.
"""
import json
import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def describe(interface):
    """interface element -> {"method X": [...], "signal Y": [...], "property Z": (...)}"""
    out = {}
    for m in interface.findall("method"):
        out["method " + m.get("name")] = [
            (a.get("name"), a.get("type"), a.get("direction", "in")) for a in m.findall("arg")]
    for s in interface.findall("signal"):
        out["signal " + s.get("name")] = [(a.get("name"), a.get("type")) for a in s.findall("arg")]
    for p in interface.findall("property"):
        out["property " + p.get("name")] = (p.get("type"), p.get("access"))
    return out


def find_interface(root, name):
    for i in root.iter("interface"):
        if i.get("name") == name:
            return i
    return None


class IntrospectionTest(harness.FaceAuthTestCase):
    NEEDS_FACES = False

    def live_xml(self, as_user=None):
        r = harness.busctl(self.address, ["introspect", harness.BUS_NAME, harness.OBJECT_PATH],
                           options=["--xml-interface"], as_user=as_user, method="Introspect",
                           parse=False)
        self.assertTrue(r.ok, "busctl introspect --xml-interface failed: %s" % r)
        return ET.fromstring(r.stdout)

    def test_live_interface_equals_the_xml(self):
        spec = find_interface(ET.parse(harness.INTERFACE_XML).getroot(), harness.INTERFACE)
        self.assertIsNotNone(spec, "no %s interface in %s" % (harness.INTERFACE, harness.INTERFACE_XML))
        live = find_interface(self.live_xml(), harness.INTERFACE)
        self.assertIsNotNone(live, "the live object has no %s interface" % harness.INTERFACE)
        want, got = describe(spec), describe(live)
        problems = []
        for key in sorted(set(want) | set(got)):
            if key not in got:
                problems.append("missing in the daemon: %s %s" % (key, want[key]))
            elif key not in want:
                problems.append("not in the XML: %s %s" % (key, got[key]))
            elif want[key] != got[key]:
                problems.append("%s differs:\n    xml:    %s\n    daemon: %s" % (key, want[key], got[key]))
        self.assertFalse(problems, "live introspection differs from %s:\n  %s"
                         % (harness.INTERFACE_XML, "\n  ".join(problems)))

    def test_only_documented_interfaces_on_the_object(self):
        live = self.live_xml()
        names = {i.get("name") for i in live.iter("interface")}
        extra = {n for n in names if not n.startswith("org.freedesktop.DBus.")} - {harness.INTERFACE}
        self.assertFalse(extra, "undocumented interfaces on %s: %s" % (harness.OBJECT_PATH, extra))

    def test_no_argument_can_carry_an_image_or_a_file(self):
        # No call may hand the daemon an image or choose a frame source; templates never
        # cross the bus: no byte arrays and no file descriptors in any argument.
        live = find_interface(self.live_xml(), harness.INTERFACE)
        self.assertIsNotNone(live)
        for el in live.iter("arg"):
            self.assertNotIn("ay", el.get("type"), "argument %s carries bytes" % el.get("name"))
            self.assertNotIn("h", el.get("type"), "argument %s carries a file descriptor" % el.get("name"))

    def test_unprivileged_user_may_introspect(self):
        live = find_interface(self.live_xml(as_user=harness.UNPRIVILEGED_USER), harness.INTERFACE)
        self.assertIsNotNone(live)

    def test_version_property_matches_status(self):
        r = harness.busctl(self.address, ["get-property", harness.BUS_NAME, harness.OBJECT_PATH,
                                          harness.INTERFACE, "Version"], method="Get")
        version = self.ok(r, "get-property Version")
        self.assertIsInstance(version, str)
        self.assertTrue(version)
        self.assertEqual(version, self.status().get("version"))

    def test_status_has_the_documented_keys(self):
        st = self.status()
        for key, typ in (("version", str), ("camera", str), ("camera_recorded", bool), ("models", str), ("store", str),
                         ("audit_chain", str), ("security_level", str), ("measured_far", float),
                         ("measured_frr", float), ("measured_far_upper95", float),
                         ("measured_frr_upper95", float), ("measured_far_counts", list),
                         ("measured_frr_counts", list), ("measured_far_shown", bool), ("embedder", str),
                         ("stale_templates", int), ("enrolled_users", int), ("busy", bool)):
            self.assertIn(key, st, "Status lacks %r: %s" % (key, json.dumps(st)))
            self.assertIsInstance(st[key], typ, "Status[%r] = %r" % (key, st[key]))
        self.assertEqual(st["store"], "ok")
        self.assertEqual(st["busy"], False)
        self.assertEqual(st["enrolled_users"], 0)
        # the default level is balanced: at most 1 in 10 000 impostor attempts accepted
        self.assertEqual(st["security_level"], "balanced")
        self.assertLessEqual(st["measured_far"], 1e-4)
        self.assertLess(st["measured_frr"], 0.05)


HEADER = os.path.join(harness.SOURCE_DIR, "dbus", "faceauth-dbus.h")


def header_macros():
    """FACEAUTH_* string macros of the header: {name: value}."""
    with open(HEADER) as f:
        return dict(re.findall(r'^#define (FACEAUTH_[A-Z_]+) "([^"]*)"', f.read(), re.M))


def xml_comments():
    with open(harness.INTERFACE_XML) as f:
        text = f.read()
    return text, re.findall(r"<!--(.*?)-->", text, re.S)


def comment_of(method):
    """The comment right before <method name="method">."""
    text, _ = xml_comments()
    at = text.index('<method name="%s">' % method)
    start = text.rindex("<!--", 0, at)
    return text[start:at]


def top_level(block):
    """The block without anything inside parentheses (descriptions of a value)."""
    out, depth = [], 0
    for ch in block:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def quoted(block):
    """The quoted names of a list, leaving out those in parenthesised descriptions."""
    return set(re.findall(r'"([a-z][a-z0-9_-]*)"', top_level(block)))


def between(block, start, end):
    a = block.index(start)
    b = block.index(end, a)
    return block[a:b]


class ContractHeaderTest(unittest.TestCase):
    def setUp(self):
        self.macros = header_macros()

    def values(self, prefix):
        return {v for k, v in self.macros.items() if k.startswith(prefix)}

    def test_names(self):
        text, comments = xml_comments()
        self.assertIn('<interface name="%s">' % self.macros["FACEAUTH_INTERFACE"], text)
        self.assertIn("Bus name %s, object %s" % (self.macros["FACEAUTH_BUS_NAME"], self.macros["FACEAUTH_OBJECT_PATH"]),
                      comments[0])
        self.assertEqual(self.macros["FACEAUTH_BUS_NAME"], harness.BUS_NAME)
        self.assertEqual(self.macros["FACEAUTH_OBJECT_PATH"], harness.OBJECT_PATH)

    def test_errors(self):
        _, comments = xml_comments()
        block = comments[0][comments[0].index("Errors (org.faceauth.Error.*)"):]
        documented = {"org.faceauth.Error." + n for n in re.findall(r"^\s{4}([A-Z][A-Za-z]+)\s", block, re.M)}
        self.assertGreaterEqual(len(documented), 8, block)
        errors = self.values("FACEAUTH_ERROR_") - {self.macros["FACEAUTH_ERROR_PREFIX"]}
        self.assertEqual(sorted(documented), sorted(errors))

    def test_results(self):
        verify = comment_of("Verify")
        documented = quoted(between(verify, "result:", "details:"))
        test = quoted(between(comment_of("TestVerify"), "result:", "frames:"))
        self.assertLessEqual(test, documented | {"not-enrolled"}, "TestVerify documents a result Verify does not")
        self.assertEqual(sorted(documented), sorted(self.values("FACEAUTH_RESULT_")))

    def test_option_and_detail_keys(self):
        keys = set()
        for method, start, end in (("Verify", "options:", "result:"), ("Enroll", "options:", "Returns"),
                                   ("TestVerify", "options:", "result:")):
            keys |= quoted(between(comment_of(method), start, end))
        self.assertEqual(sorted(keys), sorted(self.values("FACEAUTH_OPTION_")))
        require = set(re.findall(r'"(any|liveness|ir)"', between(comment_of("Verify"), '"require"', '"login"')))
        self.assertEqual(sorted(require), sorted(self.values("FACEAUTH_REQUIRE_")))
        details = quoted(between(comment_of("Verify"), "details:", "Every attempt"))
        self.assertEqual(sorted(details), sorted(self.values("FACEAUTH_DETAIL_")))

    def test_properties_and_liveness_modes(self):
        text, _ = xml_comments()
        props = set(re.findall(r'<property name="([A-Za-z]+)"', text))
        self.assertEqual(sorted(props), sorted(self.values("FACEAUTH_PROPERTY_")))
        block = text[text.index("<!-- Liveness:"):text.index('<property name="Liveness"')]
        self.assertEqual(sorted(quoted(block)), sorted(self.values("FACEAUTH_LIVENESS_")))

    def test_hint_codes(self):
        _, comments = xml_comments()
        block = between(comments[0], "Hints (", "Errors (")
        codes = set(re.findall(r"\b([a-z]+(?:-[a-z]+)*)\b", block.split("\n", 2)[2]))
        self.assertEqual(sorted(codes), sorted(self.values("FACEAUTH_HINT_")))
        # every code has its text, and nothing else does
        with open(HEADER) as f:
            table = re.findall(r"\{(FACEAUTH_HINT_[A-Z_]+),", f.read())
        self.assertEqual(sorted(table), sorted(k for k in self.macros if k.startswith("FACEAUTH_HINT_")))


if __name__ == "__main__":
    harness.main()
