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


def png_header_and_data(data):
    """(the IHDR chunk's body, every IDAT chunk's body joined) of a PNG png_size passed."""
    offset, idat, header = 8, b"", None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    return header, idat


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_pixels(data):
    """(width, height, rows) of an 8-bit RGB or RGBA, non-interlaced PNG; each row
    is bytes of RGBA. Enough for the PNGs cairo writes, to look for a colour."""
    width, height = png_size(data)
    header, idat = png_header_and_data(data)
    depth, colour, interlace = header[8], header[9], header[12]
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(a, b, c)) & 0xFF
        previous = bytes(line)
        if bpp == 3:
            line = b"".join(bytes(line[i:i + 3]) + b"\xff" for i in range(0, stride, 3))
        rows.append(bytes(line))
    return width, height, rows
