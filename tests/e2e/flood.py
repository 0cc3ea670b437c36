#!/usr/bin/env python3
"""An unprivileged caller in a loop: sends COUNT method calls to faceauthd over one raw
D-Bus connection, alternating ResetLockout("") and WithdrawConsent("") on the caller
itself, in batches of BATCH outstanding calls, and waits for every answer.
Prints one JSON line: {"sent", "returns", "errors", "seconds"}.

  python3 flood.py SOCKET COUNT [BATCH]     (run as the unprivileged user)
Used by test_hostile.py; the bus limits outstanding replies per connection, hence batches.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_dbus  # noqa: E402

DEST, PATH, IFACE = b"org.faceauth.FaceAuth1", b"/org/faceauth/FaceAuth1", b"org.faceauth.FaceAuth1"


def main():
    sock_path, count = sys.argv[1], int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    bus = raw_dbus.RawBus(sock_path)
    bus.sock.settimeout(30)
    serial, sent, returns, errors, pending, buf = 100, 0, 0, 0, set(), b""
    t0 = time.monotonic()
    while sent < count or pending:
        out = b""
        while sent < count and len(pending) < batch:
            serial += 1
            member = b"ResetLockout" if sent % 2 == 0 else b"WithdrawConsent"
            out += raw_dbus.method_call(serial, DEST, PATH, IFACE, member, b"s", raw_dbus._string(b""))
            pending.add(serial)
            sent += 1
        if out:
            bus.send(out)
        chunk = bus.sock.recv(1 << 16)
        if not chunk:
            break
        msgs, buf = raw_dbus.split_messages(buf + chunk)
        for kind, reply_serial in msgs:
            if reply_serial in pending:
                pending.discard(reply_serial)
                if kind == 2:
                    returns += 1
                elif kind == 3:
                    errors += 1
    print(json.dumps({"sent": sent, "returns": returns, "errors": errors,
                      "seconds": round(time.monotonic() - t0, 2)}))


if __name__ == "__main__":
    main()
