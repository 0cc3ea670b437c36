"""A minimal raw D-Bus client (stdlib only) that can send what sd-bus refuses
to marshal, e.g. a string argument that is not valid UTF-8. Used to show that
such a message never reaches faceauthd: dbus-daemon validates every message
and drops the connection that sent it."""
import os
import socket
import struct


def _pad(buf, n):
    return buf + b"\0" * ((-len(buf)) % n)


def _string(s):
    return struct.pack("<I", len(s)) + s + b"\0"


def method_call(serial, dest, path, interface, member, signature=b"", body=b""):
    fields = b""
    for code, sig, raw in ((1, b"o", path), (2, b"s", interface), (3, b"s", member), (6, b"s", dest)):
        fields = _pad(fields, 8) + bytes([code, 1]) + sig + b"\0"
        fields = _pad(fields, 4) + _string(raw)
    if signature:
        fields = _pad(fields, 8) + bytes([8, 1]) + b"g\0" + bytes([len(signature)]) + signature + b"\0"
    header = b"l" + bytes([1, 0, 1]) + struct.pack("<III", len(body), serial, len(fields)) + fields
    return _pad(header, 8) + body


def _scan(data):
    """(list of dicts {type, reply_serial, error_name, first_string} of the whole
    messages at the front of data, bytes those messages take). first_string is
    the body's leading string argument when the body starts with one (a
    Verify result, an error message), else None."""
    out, i = [], 0
    while i + 16 <= len(data):
        body_len, _, fields_len = struct.unpack_from("<III", data, i + 4)
        body = i + 16 + fields_len + ((-fields_len) % 8)
        end = body + body_len
        if end > len(data):
            break
        reply_serial, error_name, signature, f = None, None, b"", i + 16
        while f < i + 16 + fields_len:
            f += (-(f - i)) % 8
            code, siglen = data[f], data[f + 1]
            sig = data[f + 2:f + 2 + siglen]
            f += 3 + siglen
            if sig == b"u":
                f += (-(f - i)) % 4
                if code == 5:
                    reply_serial = struct.unpack_from("<I", data, f)[0]
                f += 4
            elif sig in (b"s", b"o"):
                f += (-(f - i)) % 4
                n = struct.unpack_from("<I", data, f)[0]
                if code == 4:
                    error_name = data[f + 4:f + 4 + n].decode("utf-8", "replace")
                f += 4 + n + 1
            elif sig == b"g":
                if code == 8:
                    signature = data[f + 1:f + 1 + data[f]]
                f += 1 + data[f] + 1
            else:
                break
        first = None
        if signature[:1] == b"s" and body_len >= 4:
            n = struct.unpack_from("<I", data, body)[0]
            first = data[body + 4:body + 4 + n].decode("utf-8", "replace")
        out.append({"type": data[i + 1], "reply_serial": reply_serial, "error_name": error_name,
                    "first_string": first})
        i = end
    return out, i


def verify_body(user=b""):
    """The body of Verify(s user, a{sv} {}): the string, then an empty array
    (its length, padded to the 8-byte alignment of its dict entries)."""
    body = _pad(_string(user), 4) + struct.pack("<I", 0)
    return _pad(body, 8)


def messages(data):
    """(type, reply_serial or None) of each whole message in data; types are
    1 call, 2 method return, 3 error, 4 signal."""
    return [(m["type"], m["reply_serial"]) for m in _scan(data)[0]]


def split_messages(buf):
    """The whole messages at the front of buf -> (list of (type, reply_serial), the rest)."""
    out, used = _scan(buf)
    return [(m["type"], m["reply_serial"]) for m in out], buf[used:]


def split_messages_detailed(buf):
    """As split_messages, with each message a dict (see _scan)."""
    out, used = _scan(buf)
    return out, buf[used:]


class RawBus:
    def __init__(self, socket_path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(socket_path)
        uid = str(os.geteuid()).encode().hex().encode()
        self.sock.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
        reply = self.sock.recv(4096)
        if not reply.startswith(b"OK"):
            raise RuntimeError("authentication refused: %r" % reply)
        self.sock.sendall(b"BEGIN\r\n")
        self.sock.sendall(method_call(1, b"org.freedesktop.DBus", b"/org/freedesktop/DBus",
                                      b"org.freedesktop.DBus", b"Hello"))
        self.sock.recv(4096)  # the Hello reply (and NameAcquired)

    def send(self, data):
        self.sock.sendall(data)

    def read(self, seconds=5):
        """(bytes received, closed): reads until the peer closes or `seconds` pass."""
        self.sock.settimeout(seconds)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return data, True
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            return data, True
        except socket.timeout:
            return data, False

    def close(self):
        self.sock.close()
