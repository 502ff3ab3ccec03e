#!/usr/bin/env python3
"""check-translation.py: every translation in po/LINGUAS (Russian at least) is
complete, and Russian is used.

1. Every msgid that xgettext extracts from POTFILES.in now has a translation in
   each po/<lang>.po (msgcmp: none missing, none fuzzy), which passes msgfmt -c.
2. The lab's output lines stay English: no msgid contains them, and a short real
   run under LANGUAGE=ru still prints them verbatim.
3. LANGUAGE=ru (LANG=C.UTF-8, catalogues from the build tree through
   $FRAMELOOM_LOCALEDIR) turns frameloom-client --help and frameloom-server
   --help into Russian; without LANGUAGE they stay English.

Environment: FRAMELOOM_SOURCE_ROOT, FRAMELOOM_LOCALEDIR, FRAMELOOM_CLIENT,
FRAMELOOM_SERVER, FRAMELOOM_GIF_WORKER. Skips (TAP "1..0 # SKIP") without
gettext's tools.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from fltest.taplib import fixture, run, test

LAB_LINES = ("Frames download time:", "GIF creation time:", "Sent an image to")
# The same keywords as meson's i18n 'glib' preset.
XGETTEXT_ARGS = ["--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
                 "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
                 "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3"]

for tool in ("xgettext", "msgcmp", "msgfmt"):
    if shutil.which(tool) is None:
        print(f"1..0 # SKIP {tool} is not installed (Debian: gettext)", flush=True)
        sys.exit(0)
SRC = os.environ["FRAMELOOM_SOURCE_ROOT"]
CLIENT, SERVER = os.environ["FRAMELOOM_CLIENT"], os.environ["FRAMELOOM_SERVER"]
WORK = tempfile.mkdtemp(prefix="fl-translation-test-")


def msgids(po_path):
    """All msgids of a .po/.pot file, unescaped."""
    text = open(po_path, encoding="utf-8").read()
    ids = []
    for block in re.findall(r'^msgid ((?:".*"\n?)+)', text, re.M):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
        ids.append("".join(p.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')
                           for p in parts))
    return [i for i in ids if i]


def run_program(argv, env, timeout=30):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def locale_env(language):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env["LANG"] = "C.UTF-8"
    env.pop("LANGUAGE", None)
    if language:
        env["LANGUAGE"] = language
    return env


def languages():
    return [w for line in open(os.path.join(SRC, "po", "LINGUAS"), encoding="utf-8")
            for w in line.split("#")[0].split()]


@fixture
def catalogue():
    """The template xgettext extracts from POTFILES.in now: its path."""
    pot = os.path.join(WORK, "frameloom.pot")
    r = subprocess.run(["xgettext", "--package-name=frameloom", "--directory=" + SRC,
                        "--files-from=" + os.path.join(SRC, "po", "POTFILES.in"),
                        "--output=" + pot] + XGETTEXT_ARGS, capture_output=True, text=True)
    assert r.returncode == 0, "xgettext could not extract the catalogue: " + r.stderr.strip()
    return pot


@test
def xgettext_extracts_more_than_100_msgids():
    ids = msgids(catalogue())
    assert len(ids) > 100, f"{len(ids)} msgids extracted"


@test
def linguas_lists_ru():
    assert "ru" in languages(), "LINGUAS lists: " + " ".join(languages())


@test
def every_translation_has_every_msgid_and_passes_msgfmt_check():
    pot = catalogue()
    for lang in languages():
        po = os.path.join(SRC, "po", lang + ".po")
        r = subprocess.run(["msgcmp", po, pot], capture_output=True, text=True)
        assert r.returncode == 0, f"{lang}.po does not translate every msgid: " + r.stderr.strip()
        r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                           capture_output=True, text=True)
        assert (r.returncode == 0 and "untranslated" not in r.stderr
                and "fuzzy" not in r.stderr), f"msgfmt -c {lang}.po: " + r.stderr.strip()


@test
def the_lab_s_lines_are_not_translatable():
    for lang in languages():
        ids = msgids(os.path.join(SRC, "po", lang + ".po"))
        for line in LAB_LINES:
            assert not any(line in i for i in ids), f"{lang}.po has a msgid with \"{line}\""
    ids = msgids(catalogue())
    for line in LAB_LINES:
        assert not any(line in i for i in ids), f"\"{line}\" is marked translatable"


@test
def language_ru_turns_help_into_russian_and_without_it_help_stays_english():
    for program, russian, english in (
            (CLIENT, "Показать версию и выйти", "Print the version and exit"),
            (CLIENT, "Загружает N случайных кадров", "Downloads N random frames"),
            (SERVER, "Не выводить строку на каждое", "Do not print a line per image")):
        name = os.path.basename(program)
        r = run_program([program, "--help"], locale_env("ru"))
        assert r.returncode == 0 and russian in r.stdout, \
            f"LANGUAGE=ru {name} --help lacks {russian}: {r.stdout + r.stderr}"
        r = run_program([program, "--help"], locale_env(None))
        assert r.returncode == 0 and english in r.stdout and russian not in r.stdout, \
            f"LANG=C.UTF-8 {name} --help is not English: {r.stdout + r.stderr}"


@test
def the_lab_s_lines_stay_english_in_a_real_run_under_language_ru():
    # Scripts read these lines.
    env = locale_env("ru")
    srv = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", "0"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = srv.stdout.readline()
        match = re.match(r"Listening on 127\.0\.0\.1:(\d+)", first)
        assert match is not None, "server under LANGUAGE=ru prints: " + first.strip()
        with tempfile.TemporaryDirectory() as tmp:
            r = run_program([CLIENT, "--port", match.group(1), "--frames", "8", "--processes",
                             "1", "--frames-dir", os.path.join(tmp, "frames"),
                             "--output", os.path.join(tmp, "out.gif"), "--quiet"], env,
                            timeout=60)
        lines = r.stdout.splitlines()
        assert (r.returncode == 0 and len(lines) == 2
                and lines[0].startswith("Frames download time: ")
                and lines[1].startswith("GIF creation time: ")), \
            "client under LANGUAGE=ru prints: " + repr(r.stdout + r.stderr)
        srv.terminate()
        out, _ = srv.communicate(timeout=10)
        assert "Sent an image to (127.0.0.1, " in out, \
            "server under LANGUAGE=ru does not print \"Sent an image to\": " + out[-500:]
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


try:
    run()
finally:
    shutil.rmtree(WORK, ignore_errors=True)
