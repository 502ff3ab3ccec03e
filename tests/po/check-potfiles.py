#!/usr/bin/env python3
"""check-potfiles.py SOURCE_ROOT [POTFILES.in], TAP tests: no file with
translatable strings is missing from po/POTFILES.in, and POTFILES.in lists no
file that does not exist or holds no translatable string. A file has translatable strings when it is C with
_( N_( C_( NC_( or ngettext, a .ui with translatable="yes", a .desktop.in, a
.metainfo.xml.in or a .gschema.xml. Only shipped sources are scanned (src/, ui/,
data/): tests, benchmarks and build trees never reach a user."""
import os
import re
import sys

from fltest.taplib import fixture, run, test

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


ROOT = os.path.abspath(sys.argv[1])
POTFILES = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "po", "POTFILES.in")


@fixture
def listed():
    """The files POTFILES.in lists."""
    names = set()
    with open(POTFILES, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(line)
    return names


@fixture
def with_translatable_strings():
    """The shipped files that hold translatable strings, relative to ROOT."""
    found = set()
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if translatable(path):
                    found.add(os.path.relpath(path, ROOT))
    return found


def missing(names):
    return sorted(with_translatable_strings() - names)


@test
def every_file_with_translatable_strings_is_listed():
    absent = missing(listed())
    assert not absent, "\n".join(f"{path} has translatable strings but is not in {POTFILES}"
                                  for path in absent)
    print(f"# {len(with_translatable_strings())} files with translatable strings, "
          f"all listed in {POTFILES}")


@test
def every_listed_file_exists():
    stale = sorted(p for p in listed() if not os.path.exists(os.path.join(ROOT, p)))
    assert not stale, "\n".join(f"{POTFILES} lists {path}, which does not exist"
                                 for path in stale)


@test
def every_listed_file_has_translatable_strings():
    # Else the scan is blind to it, and the first test would not notice the
    # file left out of POTFILES.in (and xgettext reads it for nothing).
    blind = sorted(listed() - with_translatable_strings())
    assert not blind, "\n".join(f"{POTFILES} lists {path}, in which the check finds no "
                                 "translatable string" for path in blind)


run()
