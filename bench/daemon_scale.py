#!/usr/bin/env python3
"""faceauth-daemon-scale: faceauthd's start-up time, memory, and whether Verify stays flat
as the store grows (issue 16 point 4). The real faceauthd on a private bus (the end-to-end
harness, as bench/login_latency.py uses it), the default configuration (mobilefacenet,
liveness = required, frames_needed 2 of 10, 5 s timeout) and a 640x480 y4m camera paced at
30 fps made of NUAA webcam frames (subject 0009; needs ../shared/liveness and ffmpeg).
Prints a table and one JSON line.

  sudo python3 bench/daemon_scale.py [RUNS] [--max-users N]   (FACEAUTH_SHARED_DIR: ../shared)
      (build/, or $FACEAUTH_BUILD; RUNS Verify calls per point, default 15; N default 10000)

Measured:
  start        exec of faceauthd -> NameOwnerChanged for org.faceauth.FaceAuth1 (a signal
               seen on a connection held open), and -> Status "models" = "ok" (polled
               with busctl every ~10 ms); median of 5 starts, store holding one user
  RSS          VmRSS idle once the models are loaded; the peak while Verify runs:
               VmHWM after resetting it (/proc/PID/clear_refs 5) before the verifies, and
               VmRSS sampled every 5 ms during them; VmHWM of the start-up (models loading)
  Verify       the daemon's Verify(user, {}) D-Bus call, timed on one connection held open
               (raw socket, as the PAM module holds its own): call sent -> reply read;
               every one must answer "match". Points: the user with 1, 10, 100 templates
               (1 enrolled user), then 1, 100, N enrolled users (the user with 1 template).
               Each store is built once and copied; the daemon then visits every copy in
               4 rounds (order reversed every other round, RUNS/4 calls per visit after
               warm-up calls until one matches), so drift of a shared machine weighs on
               every point alike. Median of the RUNS calls per point; least-squares slope
               over the medians; per-round medians in the JSON.
The user's own template comes from a real enrollment through the daemon; its extra
templates are that embedding plus a little noise, and the other users are accounts
fa-scale-NNNNN, each with consent and one random unit-norm template, all written by
faceauth-store-fill through the store's API while faceauthd is stopped. The store binds
every row to the account's uid, so the other users must be accounts: the daemon and the
filler run in a private mount namespace whose /etc/passwd is a copy of this machine's with
N accounts added (nothing is written to the real /etc/passwd). Every Verify-series start
uses that namespace, so the points differ only in the store.
"""
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("FACEAUTH_BUILD") or os.path.join(os.path.dirname(HERE), "build")
os.environ.setdefault("FACEAUTHD", os.path.join(BUILD, "daemon", "faceauthd"))
STORE_FILL = os.environ.get("FACEAUTH_STORE_FILL") or os.path.join(BUILD, "bench", "faceauth-store-fill")
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
import harness  # noqa: E402
import raw_dbus  # noqa: E402
from webcam_video import NUAA, WebcamVideo  # noqa: E402

ARGS = sys.argv[1:]
_numbers = [a for a in ARGS if a.isdigit()]
RUNS = int(_numbers[0]) if _numbers else 15
MAX_USERS = int(ARGS[ARGS.index("--max-users") + 1]) if "--max-users" in ARGS else 10000
if "--max-users" in ARGS:
    _numbers = [a for i, a in enumerate(ARGS) if a.isdigit() and ARGS[i - 1] != "--max-users"]
    RUNS = int(_numbers[0]) if _numbers else 15
TEMPLATE_POINTS = (1, 10, 100)
USER_POINTS = (1, 100, MAX_USERS)
STARTS = 5
ROUNDS = 4                      # visits to every store; RUNS verifies per point in all
USER = "daemon"                 # an existing system account, as in login_latency.py
PREFIX = "fa-scale-"
FIRST_UID = 3000000             # far above any uid this machine hands out
RESULTS = {}


def median(values):
    return round(statistics.median(values), 1)


def slope(xs, ys):
    """Least-squares slope of ys over xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def proc_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


class Conn(raw_dbus.RawBus):
    """One bus connection held open: method calls and the signals matched, in order."""

    def __init__(self, socket_path):
        super().__init__(socket_path)
        self.serial = 10
        self.buf = b""

    def _next(self, deadline):
        while True:
            if len(self.buf) >= 16:
                body_len, _, fields_len = struct.unpack_from("<III", self.buf, 4)
                end = 16 + fields_len + (-fields_len) % 8 + body_len
                if len(self.buf) >= end:
                    msg = raw_dbus._scan(self.buf[:end])[0][0]
                    self.buf = self.buf[end:]
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the bus in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("the bus closed the connection")
            self.buf += chunk

    def call(self, dest, path, interface, member, signature=b"", body=b"", seconds=60):
        """(message dict of the reply, seconds from send to reply read)."""
        self.serial += 1
        serial = self.serial
        t0 = time.monotonic()
        self.sock.sendall(raw_dbus.method_call(serial, dest, path, interface, member, signature, body))
        deadline = t0 + seconds
        while True:
            m = self._next(deadline)
            if m["type"] in (2, 3) and m["reply_serial"] == serial:
                return m, time.monotonic() - t0

    def wait_signal(self, first_string, seconds=30):
        deadline = time.monotonic() + seconds
        while True:
            m = self._next(deadline)
            if m["type"] == 4 and m["first_string"] == first_string:
                return time.monotonic()

    def drain(self):
        self.sock.settimeout(0.05)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.buf = b""


class DaemonScale(WebcamVideo, harness.FaceAuthTestCase):
    # The daemon's defaults: drop the harness's own settings (None = key not written).
    CONFIG = {k: None for k in harness.DEFAULT_CONFIG}

    # -- set-up pieces

    def make_namespace_tools(self):
        """A copy of /etc/passwd with MAX_USERS accounts more, and a wrapper that runs a
        command as the service user in a mount namespace where that copy is /etc/passwd."""
        passwd = os.path.join(self.root, "passwd")
        with open("/etc/passwd") as src, open(passwd, "w") as dst:
            dst.write(src.read())
            for i in range(MAX_USERS):
                dst.write("%s%05d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n"
                          % (PREFIX, i, FIRST_UID + i, FIRST_UID + i))
        os.chmod(passwd, 0o644)
        pw = self.service_pw
        runner = os.path.join(self.root, "ns-run")
        with open(runner, "w") as f:
            f.write("#!/bin/sh\n# generated by bench/daemon_scale.py\n"
                    "exec unshare --mount --propagation private -- sh -c "
                    "'mount --bind \"$0\" /etc/passwd && exec setpriv --reuid=%d --regid=%d --init-groups -- \"$@\"'"
                    " %s \"$@\"\n" % (pw.pw_uid, pw.pw_gid, passwd))
        os.chmod(runner, 0o755)
        daemon = os.path.join(self.root, "faceauthd-ns")
        with open(daemon, "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (runner, harness.FACEAUTHD))
        os.chmod(daemon, 0o755)
        return runner, daemon

    def fill(self, *args):
        self.daemon.stop()
        p = subprocess.run([self.runner, STORE_FILL, "--config", self.config_path, "--like", USER] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, "faceauth-store-fill %s: %s%s" % (args, p.stdout, p.stderr))
        line = [l for l in p.stdout.splitlines() if l.startswith("JSON: ")][-1]
        return json.loads(line[6:])

    def start_and_wait(self):
        """Start faceauthd; (seconds to the bus name, seconds to models ok)."""
        self.conn.drain()
        t0 = time.monotonic()
        self.daemon.start(wait=False)
        named = self.conn.wait_signal(harness.BUS_NAME) - t0
        while True:
            r = self.call("Status", debug=False)
            if r.ok and harness.plain(r.data[0]).get("models") == "ok":
                break
            self.assertTrue(self.daemon.alive(), "faceauthd ended:\n" + self.daemon.log()[-3000:])
            self.assertLess(time.monotonic() - t0, 60, "models never loaded")
            time.sleep(0.01)
        return named, time.monotonic() - t0

    def raw_verify(self):
        return self.conn.call(harness.BUS_NAME.encode(), harness.OBJECT_PATH.encode(),
                                 harness.INTERFACE.encode(), b"Verify", b"sa{sv}",
                                 raw_dbus.verify_body(USER.encode()))

    def verify_once(self):
        m, secs = self.raw_verify()
        self.assertEqual(m["type"], 2, "Verify answered an error: %s %s" % (m["error_name"], m["first_string"]))
        self.assertEqual(m["first_string"], "match", "Verify(%s) must match" % USER)
        return secs

    def verify_series(self, runs, sample_rss=False):
        pid = self.daemon.proc.pid
        for _ in range(2):
            self.verify_once()
        peak, stop = [0], threading.Event()

        def sampler():
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], proc_kib(pid, "VmRSS"))
                except (OSError, KeyError):
                    return
                time.sleep(0.005)

        if sample_rss:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")        # reset VmHWM to the current RSS
            t = threading.Thread(target=sampler, daemon=True)
            t.start()
        times = [1000 * self.verify_once() for _ in range(runs)]
        if sample_rss:
            stop.set()
            t.join()
            return times, proc_kib(pid, "VmHWM"), peak[0]
        return times, None, None

    def status_ms(self, n=3):
        """busctl Status round trips (process start included) against busctl GetNotice."""
        status = [1000 * self.call("Status", debug=False).elapsed for _ in range(n)]
        notice = [1000 * self.call("GetNotice", "s", "", debug=False).elapsed for _ in range(n)]
        return median(status), median(notice)

    def snapshot(self, name):
        """Keep a copy of the stopped daemon's state directory."""
        self.daemon.stop()
        dst = os.path.join(self.root, "snap-" + name)
        shutil.copytree(self.state_dir, dst, symlinks=True)
        return dst

    def restore(self, snap):
        self.daemon.stop()
        shutil.rmtree(self.state_dir)
        shutil.copytree(snap, self.state_dir, symlinks=True)   # copystat: modes; owners below
        for d, _, files in os.walk(self.state_dir):
            for n in [d] + [os.path.join(d, f) for f in files]:
                os.chown(n, self.service_pw.pw_uid, self.service_pw.pw_gid)

    def visit(self, snap, runs, measure_rss):
        """faceauthd on a copy of `snap`: (Verify times in ms, RSS figures or None)."""
        self.restore(snap)
        self.daemon.start(wait=False)
        self.conn.drain()
        self.daemon.wait_for_name()
        figures = None
        if measure_rss:
            while harness.plain(self.ok(self.call("Status", debug=False))[0]).get("models") != "ok":
                time.sleep(0.01)
            time.sleep(0.5)
            idle = proc_kib(self.daemon.proc.pid, "VmRSS")
        else:
            deadline = time.monotonic() + 60   # the first calls wait for the models and housekeeping
            while True:
                m, _ = self.raw_verify()
                if m["type"] == 2 and m["first_string"] == "match":
                    break
                self.assertLess(time.monotonic(), deadline, "Verify never matched: %s" % m)
                time.sleep(0.05)
        times, hwm, _ = self.verify_series(runs, sample_rss=measure_rss)
        if measure_rss:
            figures = {"rss_idle_mib": round(idle / 1024, 1), "rss_verify_peak_mib": round(hwm / 1024, 1)}
        return times, figures

    # -- the measurement

    def test_measure(self):
        own = self.nuaa("0009")
        result, message, _, _ = self.enroll(USER, own[:5])
        self.assertEqual(result, "enrolled", message)
        self.video = self.make_video("own", own[5:])
        self.write_config()
        self.daemon.stop()
        self.conn = Conn(self.bus.socket)
        self.addCleanup(self.conn.close)
        self.conn.call(b"org.freedesktop.DBus", b"/org/freedesktop/DBus", b"org.freedesktop.DBus", b"AddMatch",
                       b"s", raw_dbus._string(b"type='signal',member='NameOwnerChanged',arg0='%s'"
                                              % harness.BUS_NAME.encode()))

        # start-up and memory: the daemon as the harness runs it, the store holding one user
        starts = []
        for _ in range(STARTS):
            self.daemon.stop()
            starts.append(self.start_and_wait())
        pid = self.daemon.proc.pid
        hwm_start = proc_kib(pid, "VmHWM")
        time.sleep(1.0)
        idle = proc_kib(pid, "VmRSS")
        times, hwm, sampled = self.verify_series(RUNS, sample_rss=True)
        RESULTS["start"] = {"name_owned_ms": median([1000 * n for n, _ in starts]),
                            "models_loaded_ms": median([1000 * m for _, m in starts]),
                            "starts": STARTS, "all_ms": [[round(1000 * n), round(1000 * m)] for n, m in starts]}
        RESULTS["rss"] = {"idle_mib": round(idle / 1024, 1), "verify_peak_hwm_mib": round(hwm / 1024, 1),
                          "verify_peak_sampled_mib": round(sampled / 1024, 1),
                          "startup_hwm_mib": round(hwm_start / 1024, 1), "verifies": RUNS}
        RESULTS["verify_plain_ms"] = median(times)

        # Verify against the store's size, every start in the namespace
        self.runner, self.daemon.binary = self.make_namespace_tools()
        self.daemon.user = "root"      # the wrapper switches to the service user itself
        self.daemon.stop()
        snaps = {("templates", 1): self.snapshot("t1")}
        have = 1
        for n in TEMPLATE_POINTS[1:]:
            self.fill("--extra", str(n - have))
            have = n
            snaps[("templates", n)] = self.snapshot("t%d" % n)
        self.restore(snaps[("templates", 1)])
        have = 1
        fills = {}
        for n in USER_POINTS[1:]:
            fills[n] = self.fill("--users", str(n - have), "--first", str(have - 1))
            have = n
            snaps[("users", n)] = self.snapshot("u%d" % n)
        snaps[("users", 1)] = snaps[("templates", 1)]
        # Rounds over every store, the order reversed every other round, so a machine
        # that slows down or speeds up during the run weighs on every point alike.
        states = [("templates", n) for n in TEMPLATE_POINTS] + [("users", n) for n in USER_POINTS[1:]]
        per_round = -(-RUNS // ROUNDS)
        times = {st: [] for st in states}
        rounds = {st: [] for st in states}
        figures = {}
        for r in range(ROUNDS):
            for st in (states if r % 2 == 0 else states[::-1]):
                t, fig = self.visit(snaps[st], per_round, measure_rss=(r == 0))
                times[st] += t
                rounds[st].append(median(t))
                if fig:
                    figures[st] = fig
            sys.stderr.write("round %d: %s\n" % (r + 1, {"%s %d" % st: rounds[st][-1] for st in states}))
        times[("users", 1)], rounds[("users", 1)] = times[("templates", 1)], rounds[("templates", 1)]
        figures[("users", 1)] = figures[("templates", 1)]
        tpl = {n: dict(times=times[("templates", n)], rounds_ms=rounds[("templates", n)],
                       **figures[("templates", n)]) for n in TEMPLATE_POINTS}
        users = {n: dict(times=times[("users", n)], rounds_ms=rounds[("users", n)],
                         **figures[("users", n)]) for n in USER_POINTS}
        self.restore(snaps[("users", USER_POINTS[-1])])
        status_big, notice_big = None, None
        start_big = []
        for _ in range(3):
            self.daemon.stop()
            start_big.append(self.start_and_wait())
        status_big, notice_big = self.status_ms()

        t_med = {n: median(v["times"]) for n, v in tpl.items()}
        u_med = {n: median(v["times"]) for n, v in users.items()}
        rss = lambda p: {k: v for k, v in p.items() if k != "times"}  # noqa: E731
        RESULTS["verify_templates"] = {
            "points": {str(n): dict(median_ms=t_med[n], runs=len(tpl[n]["times"]), **rss(tpl[n]))
                       for n in TEMPLATE_POINTS},
            "slope_ms_per_template": round(slope(list(t_med), list(t_med.values())), 3),
            "ratio_largest_smallest": round(max(t_med.values()) / min(t_med.values()), 3)}
        RESULTS["verify_users"] = {
            "points": {str(n): dict(median_ms=u_med[n], runs=len(users[n]["times"]), **rss(users[n]))
                       for n in USER_POINTS},
            "slope_ms_per_1000_users": round(1000 * slope(list(u_med), list(u_med.values())), 3),
            "ratio_largest_smallest": round(max(u_med.values()) / min(u_med.values()), 3),
            "fill": fills}
        RESULTS["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        RESULTS["rounds"] = ROUNDS
        RESULTS["big_store"] = {
            "users": USER_POINTS[-1], "status_busctl_ms": status_big, "getnotice_busctl_ms": notice_big,
            "name_owned_ms": median([1000 * n for n, _ in start_big]),
            "models_loaded_ms": median([1000 * m for _, m in start_big]), "starts": len(start_big)}


if __name__ == "__main__":
    if not os.path.isdir(NUAA):
        sys.exit("faceauth-daemon-scale needs %s (set FACEAUTH_SHARED_DIR)" % NUAA)
    for tool, path in (("faceauthd", harness.FACEAUTHD), ("faceauth-store-fill", STORE_FILL)):
        if not os.access(path, os.X_OK):
            sys.exit("%s not found at %s: ninja -C build faceauthd faceauth-store-fill" % (tool, path))
    sys.argv[1:] = []
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DaemonScale)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
    if not result.wasSuccessful() or not RESULTS:
        sys.exit(1)
    R = RESULTS
    print("faceauthd, default configuration, y4m 640x480 at 30 fps (NUAA 0009); Verify: D-Bus call on a "
          "held connection, median of %d" % RUNS)
    print("%-58s %12s" % ("", "median"))
    print("%-58s %9.1f ms" % ("start: exec -> bus name owned (%d starts)" % R["start"]["starts"],
                              R["start"]["name_owned_ms"]))
    print("%-58s %9.1f ms" % ("start: exec -> Status answers models = ok", R["start"]["models_loaded_ms"]))
    print("%-58s %9.1f MiB" % ("RSS idle, models loaded", R["rss"]["idle_mib"]))
    print("%-58s %9.1f MiB" % ("RSS peak during %d verifies (VmHWM after reset)" % RUNS,
                               R["rss"]["verify_peak_hwm_mib"]))
    print("%-58s %9.1f MiB" % ("RSS peak during verifies (VmRSS sampled every 5 ms)",
                               R["rss"]["verify_peak_sampled_mib"]))
    print("%-58s %9.1f MiB" % ("VmHWM after start-up (models loading)", R["rss"]["startup_hwm_mib"]))
    def row(what, p):
        print("%-58s %9.1f ms   RSS idle %.1f, peak %.1f MiB" % (what, p["median_ms"], p["rss_idle_mib"],
                                                                 p["rss_verify_peak_mib"]))
    for n in TEMPLATE_POINTS:
        row("Verify, user has %d template(s), 1 enrolled user" % n, R["verify_templates"]["points"][str(n)])
    print("%-58s %9.3f ms   ratio %.3f" % ("  slope per extra template (least squares)",
                                            R["verify_templates"]["slope_ms_per_template"],
                                            R["verify_templates"]["ratio_largest_smallest"]))
    for n in USER_POINTS:
        row("Verify, %d enrolled user(s), 1 template" % n, R["verify_users"]["points"][str(n)])
    print("%-58s %9.3f ms   ratio %.3f" % ("  slope per extra 1000 users (least squares)",
                                            R["verify_users"]["slope_ms_per_1000_users"],
                                            R["verify_users"]["ratio_largest_smallest"]))
    b = R["big_store"]
    print("with %d users (%d starts): exec -> name %.1f ms, -> Status answers models = ok %.1f ms; "
          "one Status call by busctl %.1f ms (GetNotice %.1f ms)"
          % (b["users"], b["starts"], b["name_owned_ms"], b["models_loaded_ms"], b["status_busctl_ms"],
             b["getnotice_busctl_ms"]))
    print("per-round medians (ms): " + "; ".join(
        ["%d templates %s" % (n, R["verify_templates"]["points"][str(n)]["rounds_ms"]) for n in TEMPLATE_POINTS] +
        ["%d users %s" % (n, R["verify_users"]["points"][str(n)]["rounds_ms"]) for n in USER_POINTS[1:]]))
    print("load average at the end: %s" % R["loadavg_end"])
    print("JSON: " + json.dumps(dict(tool="faceauth-daemon-scale", runs=RUNS, **RESULTS)))
