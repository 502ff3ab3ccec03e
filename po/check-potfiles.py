#!/usr/bin/env python3
"""check-potfiles.py SOURCE_ROOT [POTFILES.in]: fails when a file with
translatable strings is missing from po/POTFILES.in, or when POTFILES.in lists a
file that does not exist. A file has translatable strings when it is C with
_( N_( C_( NC_( or ngettext, a .ui with translatable="yes", a .desktop.in, a
.metainfo.xml.in or a .gschema.xml. Only shipped sources are scanned (src/, ui/,
data/): tests, benchmarks and build trees never reach a user."""
import os
import re
import sys

SCANNED = ("src", "ui", "data")
C_MARK = re.compile(r"(?<![A-Za-z0-9_])(?:N?C?_|g_dngettext|ngettext)\s*\(")
UI_MARK = re.compile(r'translatable\s*=\s*"yes"')


def translatable(path):
    name = os.path.basename(path)
    if name.endswith((".desktop.in", ".metainfo.xml.in", ".appdata.xml.in", ".gschema.xml")):
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    if name.endswith((".c", ".h")):
        return C_MARK.search(text) is not None
    if name.endswith(".ui"):
        return UI_MARK.search(text) is not None
    return False


def main():
    root = os.path.abspath(sys.argv[1])
    potfiles = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "po", "POTFILES.in")
    listed = set()
    with open(potfiles, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                listed.add(line)

    found = set()
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if translatable(path):
                    found.add(os.path.relpath(path, root))

    missing = sorted(found - listed)
    stale = sorted(p for p in listed if not os.path.exists(os.path.join(root, p)))
    for path in missing:
        print(f"{path} has translatable strings but is not in {potfiles}")
    for path in stale:
        print(f"{potfiles} lists {path}, which does not exist")
    if missing or stale:
        return 1
    print(f"{len(found)} files with translatable strings, all listed in POTFILES.in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
