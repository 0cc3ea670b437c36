#!/usr/bin/env python3
"""Bad input is refused with org.faceauth.Error.InvalidArgument and the daemon lives on.

After every refused call the daemon must still answer Status (no crash, no hang).

A user name that is not valid UTF-8 cannot reach the daemon: sd-bus refuses to
marshal it (test_non_utf8_is_refused_before_the_bus), and a hand-made message
sent on a raw socket (raw_dbus.py) makes dbus-daemon drop the sender while
faceauthd keeps serving (test_non_utf8_sent_raw_never_reaches_the_daemon).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import V  # noqa: E402

INVALID = "org.faceauth.Error.InvalidArgument"

BAD_USER_NAMES = [
    ("10 KB name", "a" * 10240),
    ("33 bytes", "a" * 33),
    ("control character", "dae\x01mon"),
    ("newline", "daemon\nroot"),
    ("tab", "dae\tmon"),
    ("slash", "daemon/../root"),
    ("dot-dot", ".."),
    ("dot-dot path", "../root"),
    ("upper case", "Daemon"),
    ("leading digit", "1daemon"),
    ("leading dash", "-daemon"),
    ("space", "dae mon"),
    ("non-ASCII", "d\u00e6mon"),
    ("does not exist", "nosuchuser-e2e"),
]

# methods taking a user name first, and the rest of their arguments
USER_METHODS = [
    ("Verify", "sa{sv}", [{"timeout": V("u", 1)}]),
    ("IsEnrolled", "s", []),
    ("ListTemplates", "s", []),
    ("RemoveTemplate", "sx", [1]),
    ("RemoveAll", "s", []),
    ("GetConsent", "s", []),
    ("WithdrawConsent", "s", []),
    ("GetAuditLog", "s", []),
    ("ExportPersonalData", "s", []),
    ("ResetLockout", "s", []),
]


class ValidationTest(harness.FaceAuthTestCase):
    NEEDS_FACES = False

    def enroll_args(self, user="daemon", notice_id=None, **opts):
        options = {"confirm_age": V("b", True), "label": V("s", "e2e")}
        options.update(opts)
        options = {k: v for k, v in options.items() if v is not None}
        return (user, self.notice_id() if notice_id is None else notice_id, options)

    def expect_invalid(self, method, sig, *args, what=None):
        r = self.call(method, sig, *args, timeout=30)
        what = what or "%s%r" % (method, tuple(a if not isinstance(a, str) or len(a) < 40
                                               else a[:20] + "...(%d)" % len(a) for a in args))
        self.assertDBusError(r, INVALID, what)
        self.assertTrue(r.message and len(r.message) < 2000,
                        "%s: the message should say what is wrong, briefly: %r" % (what, r.message))
        self.assertDaemonAnswers(what)
        return r

    def test_bad_user_names(self):
        for label, name in BAD_USER_NAMES:
            for method, sig, rest in USER_METHODS:
                with self.subTest(name=label, method=method):
                    self.expect_invalid(method, sig, name, *rest, what="%s(<%s>)" % (method, label))

    def test_bad_user_names_in_enroll(self):
        for label, name in BAD_USER_NAMES:
            with self.subTest(name=label):
                self.expect_invalid("Enroll", "ssa{sv}", *self.enroll_args(user=name),
                                    what="Enroll(<%s>)" % label)

    def test_long_name_does_not_leak_back(self):
        r = self.call("IsEnrolled", "s", "x" * 10240)
        self.assertDBusError(r, INVALID, "IsEnrolled(10 KB)")
        self.assertLess(len(r.message or ""), 1024, "the error echoes the whole 10 KB name")

    def test_non_utf8_is_refused_before_the_bus(self):
        # '\udcff' becomes the single byte 0xff in busctl's argv (surrogateescape)
        r = self.call("IsEnrolled", "s", "dae\udcffmon")
        self.assertFalse(r.ok)
        self.assertEqual(r.error, "busctl",
                         "expected busctl to refuse invalid UTF-8 client-side, got %s" % r)
        self.assertDaemonAnswers("after busctl refused invalid UTF-8")

    def test_non_utf8_sent_raw_never_reaches_the_daemon(self):
        # Bypassing sd-bus: a hand-made IsEnrolled("dae\xffmon"). dbus-daemon
        # validates the message and drops the sender; faceauthd never sees it.
        import raw_dbus
        bus = raw_dbus.RawBus(self.bus.socket)
        self.addCleanup(bus.close)
        bus.send(raw_dbus.method_call(2, b"org.faceauth.FaceAuth1", b"/org/faceauth/FaceAuth1",
                                      b"org.faceauth.FaceAuth1", b"IsEnrolled", b"s",
                                      raw_dbus._string(b"dae\xffmon")))
        _, closed = bus.read(5)
        self.assertTrue(closed, "dbus-daemon should drop a connection sending invalid UTF-8")
        self.assertDaemonAnswers("after a raw message with invalid UTF-8")
        # the same hand-made call with a valid name is answered (the raw client is sound)
        ok = raw_dbus.RawBus(self.bus.socket)
        self.addCleanup(ok.close)
        ok.send(raw_dbus.method_call(2, b"org.faceauth.FaceAuth1", b"/org/faceauth/FaceAuth1",
                                     b"org.faceauth.FaceAuth1", b"IsEnrolled", b"s", raw_dbus._string(b"daemon")))
        data, closed = ok.read(1)
        self.assertFalse(closed, "a valid raw call must not be dropped")
        # the method return to call 2 (a NameAcquired signal may come first)
        self.assertIn((2, 2), raw_dbus.messages(data), "expected a method return to the valid raw call, got %r" % data)

    def test_unknown_option_keys(self):
        self.expect_invalid("Verify", "sa{sv}", "daemon", {"bogus": V("s", "x")})
        self.expect_invalid("Verify", "sa{sv}", "daemon", {"source": V("s", "dir:/tmp")})
        self.expect_invalid("Verify", "sa{sv}", "daemon", {"Timeout": V("u", 5)})
        self.expect_invalid("Enroll", "ssa{sv}", *self.enroll_args(camera=V("s", "v4l2:/dev/video0")))

    def test_wrongly_typed_options(self):
        for label, opts in (
                ("timeout as string", {"timeout": V("s", "5")}),
                ("timeout as int32", {"timeout": V("i", 5)}),
                ("timeout as uint64", {"timeout": V("t", 5)}),
                ("timeout as bool", {"timeout": V("b", True)}),
                ("timeout as array", {"timeout": V("au", [5])}),
                ("timeout as nested variant", {"timeout": V("v", V("u", 5))}),
                ("timeout 0", {"timeout": V("u", 0)}),
                ("timeout 61", {"timeout": V("u", 61)}),
                ("timeout 2^32-1", {"timeout": V("u", 4294967295)}),
                ("duplicate key", [("timeout", V("u", 1)), ("timeout", V("u", 2))])):
            with self.subTest(label):
                self.expect_invalid("Verify", "sa{sv}", "daemon", opts, what="Verify(%s)" % label)

    def test_wrongly_typed_enroll_options(self):
        for label, opts in (
                ("confirm_age as string", {"confirm_age": V("s", "true")}),
                ("confirm_age as uint32", {"confirm_age": V("u", 1)}),
                ("label as uint32", {"label": V("u", 1)}),
                ("empty label", {"label": V("s", "")}),
                ("65-character label", {"label": V("s", "l" * 65)}),
                ("label with a control character", {"label": V("s", "a\x07b")}),
                ("label with a newline", {"label": V("s", "a\nb")}),
                ("empty method", {"method": V("s", "")}),
                ("129-character method", {"method": V("s", "m" * 129)})):
            with self.subTest(label):
                self.expect_invalid("Enroll", "ssa{sv}", *self.enroll_args(**opts),
                                    what="Enroll(%s)" % label)

    def test_terminal_controls_in_labels_and_methods_are_refused_by_name(self):
        # They would reach administrators' terminals through list and audit.
        for label, opts, char in (
                ("label with CSI (C1)", {"label": V("s", "a\u009b31mb")}, "U+009B"),
                ("label with a right-to-left override", {"label": V("s", "office\u202etxt.exe")}, "U+202E"),
                ("label with a bidi isolate", {"label": V("s", "a\u2066b")}, "U+2066"),
                ("label with a zero-width space", {"label": V("s", "a\u200bb")}, "U+200B"),
                ("method with a right-to-left override", {"method": V("s", "typed \u202eyes")}, "U+202E"),
                ("method with ESC", {"method": V("s", "a\x1b[2Jb")}, "U+001B")):
            with self.subTest(label):
                r = self.call("Enroll", "ssa{sv}", *self.enroll_args(**opts))
                self.assertDBusError(r, INVALID, "Enroll(%s)" % label)
                self.assertIn(char, r.message)
        # Ordinary non-ASCII text stays allowed.
        r = self.call("Enroll", "ssa{sv}", *self.enroll_args(label=V("s", "办公室 café")))
        self.assertNotEqual(r.error, INVALID, r.message)

    def test_enroll_needs_the_current_notice_and_the_age_confirmation(self):
        for label, args in (("empty notice id", self.enroll_args(notice_id="")),
                            ("unknown notice id", self.enroll_args(notice_id="v0:0000")),
                            ("notice id of another text", self.enroll_args(notice_id=self.notice_id() + "x"))):
            with self.subTest(label):
                r = self.call("Enroll", "ssa{sv}", *args)
                self.assertDBusError(r, "org.faceauth.Error.ConsentRequired", "Enroll(%s)" % label)
                self.assertDaemonAnswers(label)
        for label, args in (("confirm_age false", self.enroll_args(confirm_age=V("b", False))),
                            ("confirm_age missing", self.enroll_args(confirm_age=None))):
            with self.subTest(label):
                r = self.call("Enroll", "ssa{sv}", *args)
                self.assertFalse(r.ok, "Enroll(%s) must be refused, got %s" % (label, r))
                self.assertIn(r.error, (INVALID, "org.faceauth.Error.ConsentRequired"),
                              "Enroll(%s): %s: %s" % (label, r.error, r.message))
                self.assertDaemonAnswers(label)
        # nothing was stored by any refused call
        self.assertEqual(self.ok(self.call("GetConsent", "s", "daemon")), [[]])
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", "daemon")), [False])

    def test_empty_user_means_the_caller(self):
        # "" is the caller (root here): valid everywhere a user is taken
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", "")), [False])
        self.assertEqual(self.ok(self.call("ListTemplates", "s", "")), [[]])
        data = json.loads(self.ok(self.call("ExportPersonalData", "s", ""))[0])
        self.assertIsInstance(data, dict)

    def test_unknown_template_id(self):
        r = self.call("RemoveTemplate", "sx", "daemon", 987654321)
        self.assertDBusError(r, "org.faceauth.Error.NotFound", "RemoveTemplate(daemon, 987654321)")
        self.assertDaemonAnswers()

    def test_unknown_method_and_wrong_signature(self):
        r = self.call("NoSuchMethod")
        self.assertDBusError(r, "org.freedesktop.DBus.Error.UnknownMethod", "NoSuchMethod")
        r = self.call("IsEnrolled", "u", 5)
        self.assertFalse(r.ok, "IsEnrolled(u) must fail")
        self.assertIn(r.error, ("org.freedesktop.DBus.Error.InvalidArgs",
                                "org.freedesktop.DBus.Error.UnknownMethod", INVALID), r)
        r = self.call("Verify", "s", "daemon")
        self.assertFalse(r.ok, "Verify(s) without options must fail")
        self.assertDaemonAnswers()


if __name__ == "__main__":
    harness.main()
