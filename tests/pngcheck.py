"""A stdlib-only PNG structure check shared by the Python tests."""
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data):
    """Returns (width, height) if data is exactly one complete PNG with good CRCs, else raises."""
    assert data.startswith(SIGNATURE), "bad signature"
    offset = 8
    size = None
    while True:
        assert len(data) - offset >= 12, "truncated"
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        assert len(body) == length, "truncated chunk"
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"CRC error in {kind!r}"
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        offset += 12 + length
        if kind == b"IEND":
            assert offset == len(data), "bytes after IEND"
            assert size is not None, "no IHDR"
            return size
