#!/usr/bin/env python3
"""Writes a few face photos for the demo's "someone else in view" step on machines without
../shared: the first faces of lfw_subset.npy (25x25 greyscale faces from Labeled Faces in
the Wild, shipped by Debian's python3-skimage), enlarged 8x with bilinear interpolation and
saved as PNG. Standard library only (no numpy).

  python3 scripts/lfw_subset_faces.py LFW_SUBSET.npy OUT_DIR [COUNT]
"""
import ast
import os
import struct
import sys
import zlib

SCALE = 8


def read_npy(path):
    data = open(path, "rb").read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit("%s is not a .npy file" % path)
    major = data[6]
    hlen, off = (struct.unpack("<H", data[8:10])[0], 10) if major == 1 else (struct.unpack("<I", data[8:12])[0], 12)
    header = ast.literal_eval(data[off:off + hlen].decode("latin1"))
    if header["descr"] != "<f8" or header["fortran_order"] or len(header["shape"]) != 3:
        raise SystemExit("%s: expected a C-ordered float64 array of images, got %r" % (path, header))
    return header["shape"], data[off + hlen:]


def image(shape, body, k):
    _, h, w = shape
    vals = struct.unpack_from("<%dd" % (h * w), body, k * h * w * 8)
    return [vals[i * w:(i + 1) * w] for i in range(h)]


def write_png(path, rows):
    h, w = len(rows), len(rows[0])
    H, W = h * SCALE, w * SCALE
    raw = bytearray()
    for y in range(H):
        sy = max(0.0, y / SCALE - 0.5)
        y0 = min(h - 1, int(sy)); y1 = min(h - 1, y0 + 1); fy = sy - y0
        raw.append(0)
        for x in range(W):
            sx = max(0.0, x / SCALE - 0.5)
            x0 = min(w - 1, int(sx)); x1 = min(w - 1, x0 + 1); fx = sx - x0
            v = (rows[y0][x0] * (1 - fx) + rows[y0][x1] * fx) * (1 - fy) + \
                (rows[y1][x0] * (1 - fx) + rows[y1][x1] * fx) * fy
            g = max(0, min(255, int(v * 255)))
            raw += bytes((g, g, g))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def main():
    src, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    shape, body = read_npy(src)
    os.makedirs(out, exist_ok=True)
    for k in range(min(count, shape[0])):
        write_png(os.path.join(out, "lfw_subset_%02d.png" % k), image(shape, body, k))


if __name__ == "__main__":
    main()
