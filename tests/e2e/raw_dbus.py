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
    """(list of (type, reply_serial or None) of the whole messages at the front of
    data, bytes those messages take)."""
    out, i = [], 0
    while i + 16 <= len(data):
        body_len, _, fields_len = struct.unpack_from("<III", data, i + 4)
        end = i + 16 + fields_len + ((-fields_len) % 8) + body_len
        if end > len(data):
            break
        reply_serial, f = None, i + 16
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
                f += 4 + n + 1
            elif sig == b"g":
                f += 1 + data[f] + 1
            else:
                break
        out.append((data[i + 1], reply_serial))
        i = end
    return out, i


def messages(data):
    """(type, reply_serial or None) of each whole message in data; types are
    1 call, 2 method return, 3 error, 4 signal."""
    return _scan(data)[0]


def split_messages(buf):
    """The whole messages at the front of buf -> (list of (type, reply_serial), the rest)."""
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
