#!/usr/bin/env python3
"""faceauthctl's help, man page, bash completion, documentation and catalogues agree.

No daemon is needed. Checked:
  * every verb answers --help (exit 0) in English and in Simplified Chinese;
  * the verbs of `faceauthctl --help` are exactly those of the man page, the bash
    completion and docs/faceauthctl.md; the man page renders without warnings;
  * the completion offers the verbs and each verb's options;
  * client/po/zh_CN.po translates every message (msgfmt --statistics: nothing
    untranslated or fuzzy), and client/po/faceauth.pot and zh_CN.po hold exactly
    the messages xgettext finds in the sources today.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SRC = harness.SOURCE_DIR
CLIENT = os.path.join(SRC, "client")
FACEAUTHCTL = os.environ.get("FACEAUTHCTL") or os.path.join(SRC, "build", "client", "faceauthctl")
LOCALEDIR = os.environ.get("FACEAUTH_LOCALEDIR") or os.path.join(os.path.dirname(FACEAUTHCTL), "locale")
# The CLI's sources and the PAM module's: one text domain, "faceauth".
SOURCES = ["main.cc", "bus.cc", "text.cc", "verbs.cc", "enroll.cc", "cameras.cc", "assessment.cc", "../pam/pam_faceauth.c",
           "../dbus/faceauth-dbus.h"]


def run(args, language=None, **kw):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "FACEAUTH_LOCALEDIR": LOCALEDIR,
           "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/faceauth-test-socket"}
    if language:
        env["LANGUAGE"] = language
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw)


def help_verbs():
    out = run([FACEAUTHCTL, "--help"]).stdout
    block = out.split("Verbs:")[1].split("\n\n")[0]
    return [l.split()[0] for l in block.strip().splitlines()]


def msgids(po_text):
    ids = set()
    for m in re.finditer(r'^msgid ((?:".*"\n)+)', po_text, re.M):
        s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        if s:
            ids.add(s)
    return ids


class DocsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(FACEAUTHCTL, os.X_OK):
            raise unittest.SkipTest("faceauthctl not built at %s (set FACEAUTHCTL)" % FACEAUTHCTL)
        cls.verbs = help_verbs()

    def test_verbs_list(self):
        self.assertEqual(sorted(self.verbs), sorted([
            "enroll", "notice", "list", "remove", "consent", "my-data", "audit", "unlock", "restore", "exclude",
            "include", "former", "erase-former", "test", "status", "cameras", "impact-assessment"]))

    def test_every_verb_has_help(self):
        for verb in self.verbs:
            for lang in (None, "zh_CN"):
                with self.subTest(verb=verb, language=lang):
                    p = run([FACEAUTHCTL, verb, "--help"], language=lang)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertIn("faceauthctl " + verb, p.stdout)
                    self.assertEqual(p.returncode, run([FACEAUTHCTL, "help", verb]).returncode)
        zh = run([FACEAUTHCTL, "enroll", "--help"], language="zh_CN").stdout
        self.assertIn("用法", zh)
        self.assertIn("隐私告知", zh)

    def test_man_page_lists_every_verb_and_renders(self):
        with open(os.path.join(CLIENT, "faceauthctl.1")) as f:
            man = f.read()
        man_verbs = re.findall(r"^\.TP\n\.B ([a-z\\-]+)", man.split(".SH VERBS")[1].split(".SH OPTIONS")[0], re.M)
        man_verbs = [v.replace("\\-", "-") for v in man_verbs if v != "help"]
        self.assertEqual(sorted(man_verbs), sorted(self.verbs))
        for code in range(10):
            self.assertRegex(man, r"\.TP\n\.B %d\n" % code, "exit code %d is not documented" % code)
        if shutil.which("man") and shutil.which("groff"):
            p = run(["man", "--warnings", "-l", os.path.join(CLIENT, "faceauthctl.1")])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.strip(), "", "man page warnings:\n" + p.stderr)

    def test_docs_describe_every_verb(self):
        with open(os.path.join(SRC, "docs", "faceauthctl.md"), encoding="utf-8") as f:
            md = f.read()
        for verb in self.verbs:
            self.assertRegex(md, r"\n### `%s" % re.escape(verb), "docs/faceauthctl.md lacks a section for " + verb)
        for code in range(10):
            self.assertRegex(md, r"\n\| %d \|" % code, "exit code %d is not in docs/faceauthctl.md" % code)

    def test_bash_completion(self):
        path = os.path.join(CLIENT, "faceauthctl.bash-completion")
        p = run(["bash", "-n", path])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path) as f:
            text = f.read()
        listed = re.search(r'local verbs="([^"]+)"', text).group(1).split()
        self.assertEqual(sorted(v for v in listed if v != "help"), sorted(self.verbs))
        # bash-completion's helpers, or (package not installed) the two the script uses
        lib = "/usr/share/bash-completion/bash_completion"
        helpers = ("source %s" % lib if os.path.exists(lib) else
                   '_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; '
                   'cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; split=false; }; '
                   '_filedir() { COMPREPLY=(); }')
        script = ('%s; source %s; COMP_WORDS=(faceauthctl %s); COMP_CWORD=%d; COMP_LINE="faceauthctl %s"; '
                  'COMP_POINT=${#COMP_LINE}; _faceauthctl; printf "%%s\\n" "${COMPREPLY[@]}"')

        def complete(*words):
            quoted = " ".join("'%s'" % w for w in words)
            p = run(["bash", "-c", script % (helpers, path, quoted, len(words), " ".join(words))])
            self.assertEqual(p.stderr, "", p.stderr)
            return set(p.stdout.split())

        self.assertTrue(set(self.verbs) <= complete(""), complete(""))
        self.assertIn("--withdraw", complete("consent", "--"))
        self.assertIn("--accept-notice=", complete("enroll", "--"))
        self.assertIn("--verify", complete("audit", "--"))
        self.assertNotIn("--withdraw", complete("list", "--"))
        self.assertIn("root", complete("list", "--user", "ro"))

    def test_catalogue_is_complete_and_current(self):
        po = os.path.join(CLIENT, "po", "zh_CN.po")
        p = run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", po])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("untranslated", p.stderr)
        self.assertNotIn("fuzzy", p.stderr)
        with tempfile.TemporaryDirectory() as d:
            fresh = os.path.join(d, "fresh.pot")
            p = run(["xgettext", "--from-code=UTF-8", "--language=C++", "--keyword=_", "--keyword=N_",
                     "--keyword=FACEAUTH_N_", "-o", fresh] + SOURCES, cwd=CLIENT)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(fresh, encoding="utf-8") as f:
                want = msgids(f.read())
        with open(os.path.join(CLIENT, "po", "faceauth.pot"), encoding="utf-8") as f:
            pot = msgids(f.read())
        with open(po, encoding="utf-8") as f:
            have = msgids(f.read())
        self.assertEqual(sorted(want - pot), [], "faceauth.pot is stale: run ninja faceauthctl-pot")
        self.assertEqual(sorted(want - have), [], "zh_CN.po lacks these messages")
        self.assertEqual(sorted(have - want), [], "zh_CN.po has obsolete messages")


if __name__ == "__main__":
    harness.main()
