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
