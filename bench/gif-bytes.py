#!/usr/bin/env python3
"""gif-bytes.py: where a GIF's bytes go.

  gif-bytes.py GIF [GIF ...]

For each file: the header and global colour table, then over all image
blocks the graphic control extensions, the image descriptors, the local
colour tables, the LZW data (code size byte, sub-block lengths, terminator)
and other extensions; how many frames carry a local table and its sizes, and
the rectangles' pixels. Standard library only.
"""
import collections
import statistics
import sys


def sub_blocks(data, pos):
    """Bytes of the sub-blocks from pos through the terminator, and the end."""
    start = pos
    while True:
        n = data[pos]
        pos += 1 + n
        if n == 0:
            return pos - start, pos


def analyse(path):
    data = open(path, "rb").read()
    if data[:3] != b"GIF":
        raise SystemExit(f"gif-bytes.py: {path} is not a GIF")
    parts = collections.Counter()
    parts["header + screen"] = 13
    flags = data[10]
    pos = 13
    if flags & 0x80:
        parts["global table"] = 3 << ((flags & 7) + 1)
        pos += parts["global table"]
    frames = 0
    local_sizes = collections.Counter()
    area = []
    lzw_local, lzw_global = [], []
    while pos < len(data):
        b = data[pos]
        if b == 0x3B:
            parts["trailer"] += 1
            break
        if b == 0x21:
            label = data[pos + 1]
            n, end = sub_blocks(data, pos + 2)
            name = "graphic control" if label == 0xF9 else "other extensions"
            parts[name] += 2 + n
            pos = end
            continue
        if b != 0x2C:
            raise SystemExit(f"gif-bytes.py: {path}: unexpected byte 0x{b:02x} at {pos}")
        frames += 1
        w = data[pos + 5] | data[pos + 6] << 8
        h = data[pos + 7] | data[pos + 8] << 8
        f = data[pos + 9]
        parts["descriptors"] += 10
        pos += 10
        if f & 0x80:
            size = 3 << ((f & 7) + 1)
            parts["local tables"] += size
            local_sizes[size // 3] += 1
            pos += size
        n, end = sub_blocks(data, pos + 1)
        parts["LZW"] += 1 + n
        (lzw_local if f & 0x80 else lzw_global).append(1 + n)
        area.append(w * h)
        pos = end
    total = len(data)
    print(f"{path}: {total:,} B, {frames} frames")
    for name, n in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:18} {n:>10,} B  {100 * n / total:5.1f} %")
    print(f"  frames with a local table: {sum(local_sizes.values())} "
          f"({', '.join(f'{k} entries x{v}' for k, v in sorted(local_sizes.items()))})")
    if lzw_local:
        print(f"  LZW per frame, local table: median {statistics.median(lzw_local):,.0f} B, "
              f"sum {sum(lzw_local):,}")
    if lzw_global:
        print(f"  LZW per frame, global table: median {statistics.median(lzw_global):,.0f} B, "
              f"sum {sum(lzw_global):,}")
    if area:
        print(f"  rectangles: median {statistics.median(area):,.0f} pixels, "
              f"sum {sum(area):,}")


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) >= 2 else 2
    for path in sys.argv[1:]:
        analyse(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
