#!/usr/bin/env python3
"""A client under load: COUNT sequential method calls to faceauthd, each waiting
for its answer, over raw D-Bus connections (a new one every PER_CONNECTION
calls). Prints one JSON line: {"calls", "answered", "results": {result: n},
"errors": {error name: n}, "max_seconds", "median_seconds", "seconds"}.

  python3 load_client.py SOCKET verify COUNT [PER_CONNECTION [USER]]
      Verify(USER, {}), by default "" (the caller itself): results are the
      Verify results
  python3 load_client.py SOCKET mixed COUNT [PER_CONNECTION]
      cycles through Status, IsEnrolled(""), ListTemplates(""), GetConsent(""),
      GetNotice(""), Verify("") (the caller is not enrolled: no camera)
Used by test_load.py (run as the unprivileged user it tests).
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_dbus  # noqa: E402

DEST, PATH, IFACE = b"org.faceauth.FaceAuth1", b"/org/faceauth/FaceAuth1", b"org.faceauth.FaceAuth1"
EMPTY = raw_dbus._string(b"")
MIXED = [(b"Status", b"", b""), (b"IsEnrolled", b"s", EMPTY), (b"ListTemplates", b"s", EMPTY),
         (b"GetConsent", b"s", EMPTY), (b"GetNotice", b"s", EMPTY),
         (b"Verify", b"sa{sv}", raw_dbus.verify_body())]


def call(bus, serial, member, sig, body, timeout=120):
    bus.sock.settimeout(timeout)
    bus.send(raw_dbus.method_call(serial, DEST, PATH, IFACE, member, sig, body))
    buf = b""
    while True:
        chunk = bus.sock.recv(1 << 16)
        if not chunk:
            raise RuntimeError("the bus closed the connection")
        msgs, buf = raw_dbus.split_messages_detailed(buf + chunk)
        for m in msgs:
            if m["reply_serial"] == serial and m["type"] in (2, 3):
                return m


def main():
    sock_path, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    per_connection = int(sys.argv[4]) if len(sys.argv) > 4 else count
    user = sys.argv[5].encode() if len(sys.argv) > 5 else b""
    plan = [(b"Verify", b"sa{sv}", raw_dbus.verify_body(user))] if mode == "verify" else MIXED
    results, errors, times = {}, {}, []
    bus, serial, answered = None, 100, 0
    t_start = time.monotonic()
    for n in range(count):
        if bus is None or n % per_connection == 0:
            if bus is not None:
                bus.close()
            bus = raw_dbus.RawBus(sock_path)
        member, sig, body = plan[n % len(plan)]
        serial += 1
        t0 = time.monotonic()
        m = call(bus, serial, member, sig, body)
        times.append(time.monotonic() - t0)
        answered += 1
        if m["type"] == 3:
            errors[m["error_name"]] = errors.get(m["error_name"], 0) + 1
        else:
            key = m["first_string"] if member == b"Verify" else member.decode()
            results[key] = results.get(key, 0) + 1
    bus.close()
    print(json.dumps({"calls": count, "answered": answered, "results": results, "errors": errors,
                      "max_seconds": round(max(times), 3),
                      "median_seconds": round(statistics.median(times), 4),
                      "seconds": round(time.monotonic() - t_start, 2)}))


if __name__ == "__main__":
    main()
