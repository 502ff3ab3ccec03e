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
FRAMELOOM_SERVER, FRAMELOOM_GIF_WORKER. Exit 77 (skip) without gettext's tools.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

LAB_LINES = ("Frames download time:", "GIF creation time:", "Sent an image to")
# The same keywords as meson's i18n 'glib' preset.
XGETTEXT_ARGS = ["--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
                 "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
                 "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3"]

failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def msgids(po_path):
    """All msgids of a .po/.pot file, unescaped."""
    text = open(po_path, encoding="utf-8").read()
    ids = []
    for block in re.findall(r'^msgid ((?:".*"\n?)+)', text, re.M):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
        ids.append("".join(p.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')
                           for p in parts))
    return [i for i in ids if i]


def run(argv, env, timeout=30):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def locale_env(language):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env["LANG"] = "C.UTF-8"
    env.pop("LANGUAGE", None)
    if language:
        env["LANGUAGE"] = language
    return env


def main():
    for tool in ("xgettext", "msgcmp", "msgfmt"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed (Debian: gettext)")
            return 77
    src = os.environ["FRAMELOOM_SOURCE_ROOT"]
    ru_po = os.path.join(src, "po", "ru.po")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "frameloom.pot")
        r = subprocess.run(["xgettext", "--package-name=frameloom", "--directory=" + src,
                            "--files-from=" + os.path.join(src, "po", "POTFILES.in"),
                            "--output=" + pot] + XGETTEXT_ARGS, capture_output=True, text=True)
        check(r.returncode == 0, "xgettext extracts the catalogue " + r.stderr.strip())
        if r.returncode != 0:
            return 1
        ids = msgids(pot)
        check(len(ids) > 100, f"{len(ids)} msgids extracted")
        languages = [w for line in open(os.path.join(src, "po", "LINGUAS"), encoding="utf-8")
                     for w in line.split("#")[0].split()]
        check("ru" in languages, "LINGUAS lists ru: " + " ".join(languages))
        for lang in languages:
            po = os.path.join(src, "po", lang + ".po")
            r = subprocess.run(["msgcmp", po, pot], capture_output=True, text=True)
            check(r.returncode == 0, f"{lang}.po translates every msgid " + r.stderr.strip())
            r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                               capture_output=True, text=True)
            check(r.returncode == 0 and "untranslated" not in r.stderr
                  and "fuzzy" not in r.stderr, f"msgfmt -c {lang}.po: " + r.stderr.strip())
            for line in LAB_LINES:
                check(not any(line in i for i in msgids(po)),
                      f"{lang}.po has no msgid with \"{line}\"")
        for line in LAB_LINES:
            check(not any(line in i for i in ids), f"\"{line}\" is not marked translatable")

    client, server = os.environ["FRAMELOOM_CLIENT"], os.environ["FRAMELOOM_SERVER"]
    for program, russian, english in (
            (client, "Показать версию и выйти", "Print the version and exit"),
            (client, "Загружает N случайных кадров", "Downloads N random frames"),
            (server, "Не выводить строку на каждое", "Do not print a line per image")):
        name = os.path.basename(program)
        r = run([program, "--help"], locale_env("ru"))
        check(r.returncode == 0 and russian in r.stdout, f"LANGUAGE=ru {name} --help: {russian}")
        r = run([program, "--help"], locale_env(None))
        check(r.returncode == 0 and english in r.stdout and russian not in r.stdout,
              f"LANG=C.UTF-8 {name} --help stays English")

    # A real run in Russian: the lab's lines, which scripts read, stay English.
    env = locale_env("ru")
    srv = subprocess.Popen([server, "--host", "127.0.0.1", "--port", "0"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = srv.stdout.readline()
        match = re.match(r"Listening on 127\.0\.0\.1:(\d+)", first)
        check(match is not None, "server under LANGUAGE=ru prints: " + first.strip())
        if match:
            with tempfile.TemporaryDirectory() as tmp:
                r = run([client, "--port", match.group(1), "--frames", "8", "--processes", "1",
                         "--frames-dir", os.path.join(tmp, "frames"),
                         "--output", os.path.join(tmp, "out.gif"), "--quiet"], env, timeout=60)
                lines = r.stdout.splitlines()
                check(r.returncode == 0 and len(lines) == 2
                      and lines[0].startswith("Frames download time: ")
                      and lines[1].startswith("GIF creation time: "),
                      "client under LANGUAGE=ru prints the lab's lines: " + repr(r.stdout + r.stderr))
        srv.terminate()
        out, _ = srv.communicate(timeout=10)
        check("Sent an image to (127.0.0.1, " in out, "server under LANGUAGE=ru prints \"Sent an image to\"")
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
