#!/usr/bin/env python3
"""faceauthctl against the real faceauthd on a private bus.

The built faceauthctl ($FACEAUTHCTL) is run as root and, through setpriv, as
nobody, with DBUS_SYSTEM_BUS_ADDRESS pointing at the harness's bus. Consent is
typed on stdin. Checked:
  * the whole cycle enroll -> list -> test -> remove -> my-data -> withdraw,
    with --json output parsed and compared with what the daemon reports;
  * refusing consent (or the age question, or closing stdin) stores nothing;
  * non-interactive enrollment needs the exact notice id and --confirm-age;
  * an unprivileged caller gets a permission message naming the polkit action
    (test -> org.faceauth.manage, enroll -> org.faceauth.enroll-self);
  * the notice is shown and recorded in the person's language (zh_CN), the
    recorded hash is that text's SHA-256; the built-in notices exist in both
    languages;
  * status, exit codes and error messages (daemon not running, bad arguments,
    unknown template), unlock, audit --verify, impact-assessment.
Needs ../shared/faces for the tests that enroll (they skip otherwise).
"""
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FACEAUTHCTL = os.environ.get("FACEAUTHCTL") or os.path.join(harness.SOURCE_DIR, "build", "client", "faceauthctl")
LOCALEDIR = os.environ.get("FACEAUTH_LOCALEDIR") or os.path.join(os.path.dirname(FACEAUTHCTL), "locale")
USER = "daemon"   # an existing system account, as in test_verify.py

ZH_NOTICE = """人脸验证 e2e 测试告知

个人信息处理者：本测试机的管理员。
目的：仅用于本机身份验证。保存内容：数字模板，绝无图像。
保存期限：365 天。随时可查看、撤回和删除：faceauthctl my-data / consent --withdraw。
"""


class ClientTestCase(harness.FaceAuthTestCase):
    START_DAEMON = False
    LANGUAGE = None          # None: English (C.UTF-8)

    def setUp(self):
        if not os.access(FACEAUTHCTL, os.X_OK):
            self.fail("faceauthctl not found at %s (set FACEAUTHCTL)" % FACEAUTHCTL)
        super().setUp()
        with open(os.path.join(self.root, "notice.zh_CN.txt"), "w", encoding="utf-8") as f:
            f.write(ZH_NOTICE)
        os.chmod(os.path.join(self.root, "notice.zh_CN.txt"), 0o644)
        self.start_daemon()

    def ctl(self, *args, as_user=None, stdin="", language=None, timeout=300):
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "DBUS_SYSTEM_BUS_ADDRESS": self.address,
            "FACEAUTH_LOCALEDIR": LOCALEDIR,
            "TZ": "UTC",
        }
        env.update(harness.sanitizer_env())
        lang = language or self.LANGUAGE
        if lang:
            env["LANGUAGE"] = lang
        cmd = harness.as_user_prefix(as_user) + [FACEAUTHCTL] + list(args)
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env, timeout=timeout)
        p.cmd = " ".join(args)
        if harness.SANITIZER_REPORT.search(p.stderr):
            self.fail("faceauthctl %s reported a sanitizer error:\n%s" % (p.cmd, p.stderr[-6000:]))
        return p

    def ran(self, p, code=0):
        self.assertEqual(p.returncode, code, "faceauthctl %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                         % (p.cmd, p.returncode, code, p.stdout, p.stderr))
        return p

    def json_of(self, p, code=0):
        self.ran(p, code)
        try:
            return json.loads(p.stdout)
        except ValueError as e:
            self.fail("faceauthctl %s --json printed no JSON (%s):\n%s" % (p.cmd, e, p.stdout))

    def consent_records(self):
        return self.json_of(self.ctl("consent", "--user", USER, "--json"))["records"]

    def templates(self):
        return self.json_of(self.ctl("list", "--user", USER, "--json"))["templates"]


@harness.skip_without_faces("enrolls real photos")
class CycleTest(ClientTestCase):
    CONFIG = {"verify_timeout_seconds": "10"}

    def test_enroll_list_test_remove_mydata_withdraw(self):
        salley = harness.identity_photos("John_Salley")
        self.set_camera(salley[:5])
        p = self.ran(self.ctl("enroll", "--user", USER, "--label", "office", stdin="yes\nyes\n"))
        # the notice, then consent and age as separate questions, then progress with x/5
        self.assertIn(harness.NOTICE_TEXT.splitlines()[0], p.stdout)
        self.assertIn("Type yes to consent", p.stdout)
        self.assertIn("14 years old or older", p.stdout)
        self.assertLess(p.stdout.index("Type yes to consent"), p.stdout.index("14 years old or older"))
        self.assertRegex(p.stdout, r"\[#+-*\] 5/5")
        self.assertIn("Enrolled.", p.stdout)

        # list: --json and the table
        templates = self.templates()
        self.assertEqual(len(templates), 1, templates)
        t = templates[0]
        self.assertEqual(t["label"], "office")
        self.assertGreater(t["expires"], t["created"])
        live = self.ok(self.call("ListTemplates", "s", USER), "ListTemplates")[0]
        self.assertEqual([x[0] for x in live], [t["id"]])
        table = self.ran(self.ctl("list", "--user", USER)).stdout
        self.assertRegex(table, r"ID\s+LABEL\s+CREATED\s+EXPIRES")
        self.assertRegex(table, r"\n%d\s+office\s" % t["id"])

        # test: per-frame distances for root, nothing stored, lockout untouched
        self.set_camera(salley[5:])
        before = self.json_of(self.ctl("my-data", "--user", USER, "--json"))
        r = self.json_of(self.ctl("test", "--user", USER, "--json"))
        self.assertEqual(r["result"], "match", r)
        usable = [f for f in r["frames"] if f["usable"]]
        self.assertTrue(usable, r)
        for f in usable:
            self.assertIsInstance(f["distance"], float, f)
            self.assertTrue(0.0 <= f["distance"] < 1.5, f)
        self.assertTrue(any(f["distance"] < 0.6 for f in usable), r)
        for f in r["frames"]:
            if not f["usable"]:
                self.assertIsNone(f["distance"], f)
        after = self.json_of(self.ctl("my-data", "--user", USER, "--json"))
        self.assertEqual(len(after["templates"]), 1)
        self.assertEqual(after["lockout"], before["lockout"])
        self.assertTrue(any("TestVerify" in e["actor"] for e in after["audit"]), after["audit"])
        human = self.ran(self.ctl("test", "--user", USER)).stdout
        self.assertRegex(human, r"FRAME\s+USABLE\s+DISTANCE")
        self.assertIn("Result for daemon: match", human)
        # an impostor: exit 9, distances above the matches
        self.set_camera(harness.identity_photos("John_Simm"))
        r2 = self.json_of(self.ctl("test", "--user", USER, "--json"), code=9)
        self.assertEqual(r2["result"], "no-match", r2)

        # my-data: consent, templates, audit
        data = self.json_of(self.ctl("my-data", "--user", USER, "--json"))
        self.assertEqual(data["user"], USER)
        self.assertEqual([x["id"] for x in data["templates"]], [t["id"]])
        notice_id = self.json_of(self.ctl("notice", "--json"))["notice_id"]
        self.assertEqual(len(data["consent"]), 1, data["consent"])
        c = data["consent"][0]
        self.assertEqual(c["notice_id"], notice_id)
        self.assertEqual(c["notice_sha256"], hashlib.sha256(harness.NOTICE_TEXT.encode()).hexdigest())
        self.assertIsNone(c["withdrawn_at"])
        self.assertIn("typed yes", c["method"])
        text = self.ran(self.ctl("my-data", "--user", USER)).stdout
        self.assertIn("Templates", text)
        self.assertIn("office", text)
        self.assertNotIn("distance", json.dumps(data), "my-data must never carry distances")

        # remove the template
        removed = self.json_of(self.ctl("remove", str(t["id"]), "--user", USER, "--json"))
        self.assertEqual(removed, {"user": USER, "removed": 1, "id": t["id"]})
        self.assertEqual(self.templates(), [])
        self.ran(self.ctl("remove", str(t["id"]), "--user", USER), code=5)

        # withdraw consent
        w = self.json_of(self.ctl("consent", "--withdraw", "--user", USER, "--json"))
        self.assertEqual(w, {"user": USER, "withdrawn": True, "templates_removed": 0})
        cons = self.json_of(self.ctl("consent", "--user", USER, "--json"))
        self.assertFalse(cons["active"])
        self.assertIsInstance(cons["records"][0]["withdrawn_at"], int)
        data = self.json_of(self.ctl("my-data", "--user", USER, "--json"))
        self.assertEqual(data["templates"], [])
        self.assertIsNotNone(data["consent"][0]["withdrawn_at"])

        # audit --verify: the chain is intact and the story is there
        audit = self.json_of(self.ctl("audit", "--user", USER, "--verify", "--json"))
        self.assertEqual(audit["chain"], {"intact": True, "status": "ok"})
        events = [e["event"] for e in audit["entries"] if e["event"] != "verify"]
        self.assertEqual(events, ["consent-given", "enrolled", "removed", "consent-withdrawn"], audit["entries"])
        tests = [e for e in audit["entries"] if e["event"] == "verify"]
        self.assertEqual(len(tests), 3, "each TestVerify is audited once")
        self.assertTrue(all("TestVerify" in e["actor"] and e["detail"] == "error" for e in tests), tests)

    def test_withdraw_deletes_every_template(self):
        self.set_camera(harness.identity_photos("John_Salley")[:5])
        nid = self.json_of(self.ctl("notice", "--json"))["notice_id"]
        e = self.json_of(self.ctl("enroll", "--user", USER, "--accept-notice=" + nid, "--confirm-age", "--json"))
        self.assertEqual(e["result"], "enrolled", e)
        self.assertEqual(e["notice_id"], nid)
        self.assertIsInstance(e["template_id"], int)
        self.assertEqual([t["id"] for t in self.templates()], [e["template_id"]])
        self.assertIn("non-interactive", self.consent_records()[0]["method"])
        w = self.json_of(self.ctl("consent", "--withdraw", "--user", USER, "--json"))
        self.assertEqual(w["templates_removed"], 1)
        self.assertEqual(self.templates(), [])
        self.assertEqual(self.ok(self.call("IsEnrolled", "s", USER))[0], False)


class ConsentTest(ClientTestCase):
    NEEDS_FACES = False

    def assertNothingStored(self, what):
        self.assertEqual(self.consent_records(), [], "%s: a consent record was stored" % what)
        self.assertEqual(self.templates(), [], "%s: a template was stored" % what)
        self.assertEqual(self.ok(self.call("GetConsent", "s", USER))[0], [], what)

    def test_refusing_consent_stores_nothing(self):
        for answer in ("no\n", "\n", "", "Yes please\n", "y\n"):
            with self.subTest(answer=answer):
                p = self.ran(self.ctl("enroll", "--user", USER, stdin=answer), code=6)
                self.assertIn("No consent given. Nothing was stored.", p.stderr)
                self.assertNotIn("14 years", p.stdout, "the age question comes only after consent")
                self.assertNothingStored("answer %r" % answer)

    def test_refusing_the_age_question_stores_nothing(self):
        p = self.ran(self.ctl("enroll", "--user", USER, stdin="yes\nno\n"), code=6)
        self.assertIn("not offered to children under 14", p.stderr)
        self.assertNothingStored("age refused")

    def test_non_interactive_needs_the_exact_notice_and_age(self):
        p = self.ran(self.ctl("enroll", "--user", USER, "--accept-notice=v1-0000000000000000", "--confirm-age"), code=6)
        self.assertIn("is not the current privacy notice", p.stderr)
        nid = self.json_of(self.ctl("notice", "--json"))["notice_id"]
        p = self.ran(self.ctl("enroll", "--user", USER, "--accept-notice=" + nid), code=2)
        self.assertIn("--confirm-age", p.stderr)
        p = self.ran(self.ctl("enroll", "--user", USER, "--confirm-age"), code=2)
        self.assertNothingStored("non-interactive refusals")

    def test_unprivileged_caller_is_told_the_polkit_action(self):
        # no polkitd on this bus: only root passes a polkit rule
        p = self.ran(self.ctl("test", as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)
        self.assertIn("Permission denied", p.stderr)
        p = self.ran(self.ctl("list", "--user", USER, as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)
        p = self.ran(self.ctl("enroll", stdin="yes\nyes\n", as_user="nobody"), code=4)
        self.assertIn("org.faceauth.enroll-self", p.stderr)
        # nobody's own data stays readable, and nothing was stored for them
        mine = self.json_of(self.ctl("list", "--json", as_user="nobody"))
        self.assertEqual(mine, {"user": "nobody", "templates": []})
        self.assertEqual(self.json_of(self.ctl("consent", "--json", as_user="nobody"))["records"], [])
        data = self.json_of(self.ctl("my-data", "--json", as_user="nobody"))
        self.assertEqual(data["user"], "nobody")
        p = self.ran(self.ctl("impact-assessment", as_user="nobody"), code=4)
        self.assertIn("root", p.stderr)

    def test_administrator_verbs_exclude_include_restore(self):
        self.assertEqual(self.json_of(self.ctl("exclude", "--user", USER, "--reason", "under 14", "--json")),
                         {"user": USER, "excluded": True})
        p = self.ran(self.ctl("enroll", "--user", USER, "--accept-notice=" + self.notice_id(), "--confirm-age"),
                     code=6)
        self.assertIn("excluded", p.stderr)
        human = self.ran(self.ctl("include", "--user", USER, "--reason", "checked")).stdout
        self.assertIn("may enroll for face verification again", human)
        audit = self.json_of(self.ctl("audit", "--user", USER, "--json"))["entries"]
        self.assertEqual([e["event"] for e in audit if e["event"] in ("excluded", "included")], ["excluded", "included"])
        self.assertEqual(self.json_of(self.ctl("restore", "--user", USER, "--json")),
                         {"user": USER, "restored": True, "templates_erased": 0})
        # administrators' verbs need --user, and an ordinary user is refused with the action named
        self.ran(self.ctl("restore"), code=2)
        p = self.ran(self.ctl("exclude", "--user", USER, as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)

    def test_former_and_erase_former(self):
        # Rows of an account that is gone, as the store keeps them: a state
        # row under a name no account has (written with the daemon stopped).
        self.tamper_store(lambda db: db.execute(
            "INSERT INTO users(user, uid, since_seq, failures) VALUES('fa-gone-e2e', 64999, 0, 1)"))
        self.assertEqual(self.json_of(self.ctl("former", "--json")),
                         [{"user": "fa-gone-e2e", "uid": 64999, "uid_now": None, "templates": 0, "consents": 0,
                           "incidents": 0}])
        human = self.ran(self.ctl("former")).stdout
        self.assertIn("fa-gone-e2e (uid 64999; no account has the name now)", human)
        self.assertIn("faceauthctl erase-former --user USER", human)
        p = self.ran(self.ctl("former", as_user="nobody"), code=4)
        self.assertIn("org.faceauth.manage", p.stderr)
        self.ran(self.ctl("erase-former"), code=2)
        self.assertEqual(self.json_of(self.ctl("erase-former", "--user", "fa-gone-e2e", "--json")),
                         {"user": "fa-gone-e2e", "templates_erased": 0, "consents_erased": 0, "incidents_erased": 0})
        self.assertIn("No data of former accounts is stored.", self.ran(self.ctl("former")).stdout)
        self.ran(self.ctl("erase-former", "--user", "fa-gone-e2e"), code=5)
        zh = self.ran(self.ctl("former", language="zh_CN")).stdout
        self.assertIn("未保存任何原账户的数据", zh)

    def test_status_exit_codes_and_errors(self):
        st = self.json_of(self.ctl("status", "--json"))
        self.assertEqual(st["daemon"], "running")
        for key in ("version", "camera", "models", "store", "audit_chain", "security_level", "enrolled_users",
                    "busy", "user", "enrolled", "lockout"):
            self.assertIn(key, st)
        self.assertEqual(st["store"], "ok")
        self.assertEqual(st["user"], "root")
        self.assertEqual(st["lockout"], {"failures": 0, "locked": False})
        # the measured error rates of the configured level (balanced: FAR <= 1e-4)
        self.assertLessEqual(st["measured_far"], 1e-4)
        self.assertLess(st["measured_frr"], 0.05)
        # every rate with its counts and its 95 % bound
        errors, trials = st["measured_far_counts"]
        self.assertGreater(trials, 100000)
        self.assertLessEqual(errors, trials)
        self.assertGreaterEqual(st["measured_far_upper95"], st["measured_far"])
        self.assertGreaterEqual(st["measured_frr_upper95"], st["measured_frr"])
        self.assertEqual(st["embedder"], "mobilefacenet")
        self.assertEqual(st["stale_templates"], 0)
        human = self.ran(self.ctl("status")).stdout
        self.assertRegex(human, r"Daemon:\s+running")
        self.assertRegex(human, r"Face model:\s+mobilefacenet")
        self.assertIn("a recording, not a live camera", human)  # the tests' dir: source
        self.assertIs(st["camera_recorded"], True)
        self.assertRegex(human, r"Security level:\s+balanced \(measured over every population: \d+ of \d+ impostor "
                                r"attempts accepted, 95 % bound [0-9.e+-]+; \d+ of \d+ genuine attempts refused")
        self.assertIn("Audit chain:", human)

        self.ran(self.ctl("remove", "abc", "--user", USER), code=2)
        self.ran(self.ctl("remove", "--user", USER), code=2)
        self.ran(self.ctl("list", "--bogus"), code=2)
        self.ran(self.ctl("frobnicate"), code=2)
        p = self.ran(self.ctl("remove", "424242", "--user", USER), code=5)
        self.assertIn("faceauthctl list", p.stderr)
        p = self.ran(self.ctl("list", "--user", "no-such-user-xyz"), code=2)
        self.assertIn("Invalid argument", p.stderr)
        p = self.ran(self.ctl("test", "--user", USER, "--json"), code=5)   # not enrolled
        self.assertEqual(json.loads(p.stdout)["result"], "not-enrolled")
        p = self.json_of(self.ctl("unlock", "--user", USER, "--json"))
        self.assertEqual(p, {"user": USER, "unlocked": True})
        self.assertTrue(self.json_of(self.ctl("audit", "--verify", "--json"))["chain"]["intact"])

        self.daemon.stop()
        p = self.ran(self.ctl("status"), code=3)
        self.assertIn("faceauthd is not running", p.stderr)
        self.assertIn("systemctl start faceauthd", p.stderr)
        p = self.ran(self.ctl("status", "--json"), code=3)
        self.assertEqual(json.loads(p.stdout)["daemon"], "not-running")
        self.ran(self.ctl("list"), code=3)

    def test_impact_assessment_reports_the_real_state(self):
        out = os.path.join(self.root, "pia.md")
        p = self.ran(self.ctl("impact-assessment", "--config", self.config_path, "--output", out))
        with open(out, encoding="utf-8") as f:
            md = f.read()
        self.assertIn("# Personal information protection impact assessment", md)
        self.assertIn("Templates expire 365 days after enrollment", md)
        m = re.search(r"Face model \(embedder\) mobilefacenet; security level balanced, distance threshold "
                      r"(0\.\d{3});", md)
        self.assertIsNotNone(m, md)
        # Each rate with its counts and its 95 % bound.
        self.assertRegex(md, r"\| balanced \*\*\(in use\)\*\* \| %s \| \d\.\de-\d+ \(\d+ / \d+, <= \d\.\de-\d+\) \|"
                         % re.escape(m.group(1)))
        self.assertIn(self.state_dir + "/store.db", md)
        self.assertIn(self.state_dir + "/store.key: mode 0400, owner faceauth", md)
        self.assertIn("Accounts enrolled now (Status): 0", md)
        self.assertIn("hash chain ok", md)
        self.assertIn("What the administrator must still decide", md)
        self.assertIn("- [ ]", md)
        nid = self.json_of(self.ctl("notice", "--json"))["notice_id"]
        self.assertIn(nid, md)
        self.assertIn("Wrote the impact assessment", p.stderr)
        zh = self.ran(self.ctl("impact-assessment", "--config", self.config_path, language="zh_CN")).stdout
        self.assertIn("个人信息保护影响评估", zh)
        self.assertIn("管理员仍需做出的决定", zh)


class LanguageTest(ClientTestCase):
    NEEDS_FACES = False
    LANGUAGE = "zh_CN"

    def test_notice_in_the_persons_language(self):
        zh = self.json_of(self.ctl("notice", "--json"))
        en = self.json_of(self.ctl("notice", "--json", language="en"))
        self.assertEqual(zh["language"], "zh_CN")
        self.assertEqual(zh["text"], ZH_NOTICE)
        self.assertEqual(en["text"], harness.NOTICE_TEXT)
        self.assertNotEqual(zh["notice_id"], en["notice_id"])
        self.assertEqual(zh["notice_id"], "v1-" + hashlib.sha256(ZH_NOTICE.encode()).hexdigest()[:16])
        self.assertEqual(self.ok(self.call("GetNotice", "s", "zh_CN.UTF-8"))[0], zh["notice_id"])
        self.assertEqual(self.ok(self.call("GetNotice", "s", "zh"))[0], zh["notice_id"])
        self.assertEqual(self.ok(self.call("GetNotice", "s", "de_DE"))[0], en["notice_id"])

    def test_prompts_are_translated_and_refusal_stores_nothing(self):
        p = self.ran(self.ctl("enroll", "--user", USER, stdin="不\n"), code=6)
        self.assertIn(ZH_NOTICE.splitlines()[0], p.stdout)
        self.assertIn("输入 yes", p.stdout)
        self.assertIn("未给予同意。未保存任何数据。", p.stderr)
        self.assertEqual(self.consent_records(), [])
        h = self.ran(self.ctl("--help")).stdout
        self.assertIn("子命令", h)
        p = self.ran(self.ctl("remove", "abc"), code=2)
        self.assertIn("不是模板编号", p.stderr)

    @harness.skip_without_faces("enrolls real photos")
    def test_consent_records_the_chinese_text(self):
        self.set_camera(harness.identity_photos("John_Salley")[:5])
        p = self.ran(self.ctl("enroll", "--user", USER, stdin="是\n是\n"))
        self.assertIn("注册成功", p.stdout)
        self.assertIn("请保持不动", p.stdout)   # the translated hint in the progress bar
        rec = self.consent_records()
        self.assertEqual(len(rec), 1, rec)
        self.assertEqual(rec[0]["notice_id"], "v1-" + hashlib.sha256(ZH_NOTICE.encode()).hexdigest()[:16])
        self.assertEqual(rec[0]["notice_sha256"], hashlib.sha256(ZH_NOTICE.encode()).hexdigest())
        self.assertIn("language zh_CN", rec[0]["method"])

    def test_builtin_notices_in_both_languages(self):
        missing = os.path.join(self.root, "no-notice", "notice.txt")
        self.daemon.stop()
        self.write_config(notice_path=missing)
        self.start_daemon()
        en = self.json_of(self.ctl("notice", "--json", language="en"))
        zh = self.json_of(self.ctl("notice", "--json"))
        self.assertIn("Who processes your data", en["text"])
        self.assertIn("个人信息处理者", zh["text"])
        self.assertIn("14", zh["text"])
        self.assertIn("faceauthctl consent --withdraw", zh["text"])
        for n in (en, zh):
            self.assertEqual(n["notice_id"], "v1-" + hashlib.sha256(n["text"].encode()).hexdigest()[:16])
        # Enroll accepts the id of either language (ConsentRequired only for an unknown id)
        for nid in (en["notice_id"], zh["notice_id"]):
            r = self.call("Enroll", "ssa{sv}", USER, nid, {"confirm_age": harness.V("b", False)})
            self.assertDBusError(r, "org.faceauth.Error.ConsentRequired")
            self.assertIn("14", r.message, "a known notice id must get as far as the age check")
        r = self.call("Enroll", "ssa{sv}", USER, "v1-ffffffffffffffff", {"confirm_age": harness.V("b", True)})
        self.assertDBusError(r, "org.faceauth.Error.ConsentRequired")
        self.assertIn("privacy notice", r.message)


if __name__ == "__main__":
    harness.main()
