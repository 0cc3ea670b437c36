#!/usr/bin/env python3
"""Templates of one embedder are never compared with another's.

User `daemon` is enrolled from 5 John_Salley photos while the daemon runs with
`embedder = dlib-resnet`; the daemon is restarted with the default
(mobilefacenet):
  Verify with the genuine face    -> "enroll-again", no camera used
  ListTemplates                   -> the template is marked not current (stale)
  Status                          -> "stale_templates" counts it, "embedder" names the default
  enroll again, then Verify       -> "match" (the new template), the old one still stale
  back to dlib-resnet             -> the old template matches again, the new one is stale
Needs ../shared/faces (skips otherwise).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

USER = "daemon"


class EmbedderSwitchTest(harness.FaceAuthTestCase):
    CONFIG = {"embedder": "dlib-resnet", "verify_timeout_seconds": "10"}

    def setUp(self):
        super().setUp()
        self.salley = harness.identity_photos("John_Salley")
        result, message, self.old_id, _ = self.enroll(USER, self.salley[:5], label="dlib")
        self.assertEqual(result, "enrolled", "EnrollFinished: %s (%s)" % (result, message))

    def switch_to(self, embedder):
        self.daemon.stop()
        self.write_config(embedder=embedder)
        self.daemon.start()

    def templates(self):
        return {t[0]: t for t in self.ok(self.call("ListTemplates", "s", USER))[0]}

    def test_stale_templates_are_never_compared(self):
        self.assertEqual(self.templates()[self.old_id][4:], ["dlib-resnet", True])
        self.switch_to("mobilefacenet")
        st = self.status()
        self.assertEqual(st["embedder"], "mobilefacenet", st)
        self.assertEqual(st["stale_templates"], 1, st)
        self.assertEqual(self.templates()[self.old_id][4:], ["dlib-resnet", False])
        # Still "enrolled", so the PAM module asks and the person hears why.
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER)), [True])
        self.set_camera(self.salley[5:])
        result, details = self.verify(USER)
        self.assertEqual(result, "enroll-again", details)
        self.assertIn("enroll", details.get("hint", ""), details)
        self.assertEqual(details.get("frames"), 0, "no frame may be examined: %s" % details)

        # Enrolling again gives a current template that matches.
        result, message, new_id, _ = self.enroll(USER, self.salley[:5], label="mfn")
        self.assertEqual(result, "enrolled", message)
        t = self.templates()
        self.assertEqual(t[new_id][4:], ["mobilefacenet", True])
        self.assertEqual(t[self.old_id][5], False)
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "match")

        # Going back: the dlib template is current again, the new one stale.
        self.switch_to("dlib-resnet")
        t = self.templates()
        self.assertEqual((t[self.old_id][5], t[new_id][5]), (True, False))
        self.assertEqual(self.status()["stale_templates"], 1)
        self.set_camera(self.salley[5:])
        self.assertEqual(self.verify(USER)[0], "match")

    def test_unknown_embedder_is_a_config_error(self):
        self.daemon.stop()
        self.write_config(embedder="arcface")
        code = self.daemon.start(wait=False)
        proc = self.daemon.proc
        proc.wait(timeout=20)
        log = self.daemon.log()
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("embedder", log)
        self.assertIn("mobilefacenet or dlib-resnet", log)
        del code


if __name__ == "__main__":
    harness.main()
