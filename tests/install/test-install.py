#!/usr/bin/env python3
"""test-install.py: `meson install` into a temporary prefix works, and the
installed programs run from it.

A separate build directory is configured with --prefix=<tmp>/prefix (the
prefix is compiled in: FL_LIBEXECDIR, FL_LOCALEDIR), built and installed. Then,
with no FRAMELOOM_* variable set:
- every file an installation needs (programs, worker, desktop file, metainfo,
  icons, schema, D-Bus service, manual pages, catalogue) is in the prefix;
- <prefix>/bin/frameloom-server --version answers;
- <prefix>/bin/frameloom-client downloads from the installed server and builds
  a GIF with the installed worker from libexecdir;
- LANGUAGE=ru finds the installed Russian catalogue;
- the installed schema compiles and gsettings finds it; with a display, the
  installed app starts on that schema and keeps running.

Environment: FRAMELOOM_SOURCE_ROOT, MESON (the meson to use). Exit 77 (skip)
without meson.
"""
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time

APP_ID = "io.github.frameloom.Frameloom"
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message, flush=True)
    if not condition:
        failures.append(message)
    return condition


def clean_env(**extra):
    """The caller's environment minus everything that points into a build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FRAMELOOM_", "GSETTINGS_", "LC_", "LANGUAGE", "MESON"))}
    env["LANG"] = "C.UTF-8"
    env.update(extra)
    return env


def run(argv, timeout=60, **kwargs):
    kwargs.setdefault("env", clean_env())
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)


def step(argv, what, timeout):
    start = time.monotonic()
    r = run(argv, timeout=timeout, env=dict(os.environ))
    ok = check(r.returncode == 0, f"{what} ({time.monotonic() - start:.0f} s)")
    if not ok:
        print((r.stdout + r.stderr)[-4000:])
    return ok


def start_app(prefix, gif, **env):
    """Runs the installed app for 4 s; returns (still running, stderr)."""
    app = subprocess.Popen(
        [os.path.join(prefix, "bin", "frameloom")] + ([gif] if os.path.isfile(gif) else []),
        env=clean_env(GSETTINGS_BACKEND="memory", NO_AT_BRIDGE="1", **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    alive = app.poll() is None
    if alive:
        app.terminate()
    try:
        _, err = app.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        app.kill()
        _, err = app.communicate()
    return alive, err


def check_dbus_activation(share, gif):
    """On a session bus that looks in the prefix (XDG_DATA_DIRS), opening a file
    through the app's bus name starts the installed app from its .service file
    (as a desktop does for a DBusActivatable app); it then quits on request."""
    if not shutil.which("dbus-run-session") or not shutil.which("gdbus"):
        print("# dbus-run-session or gdbus missing: D-Bus activation not checked")
        return
    path = "/" + APP_ID.replace(".", "/")
    script = (
        f"gdbus call --session --dest {APP_ID} --object-path {path} "
        f"--method org.freedesktop.Application.Open \"['file://{gif}']\" '{{}}' && sleep 3 && "
        f"gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus "
        f"--method org.freedesktop.DBus.NameHasOwner {APP_ID} && "
        f"gdbus call --session --dest {APP_ID} --object-path {path} "
        f"--method org.freedesktop.Application.ActivateAction quit '[]' '{{}}'")
    r = run(["dbus-run-session", "--", "sh", "-c", script], timeout=60,
            env=clean_env(XDG_DATA_DIRS=share + ":/usr/share", GSETTINGS_BACKEND="memory",
                          NO_AT_BRIDGE="1"))
    check(r.returncode == 0 and "(true,)" in r.stdout,
          "D-Bus activation starts the installed app: " + (r.stdout + r.stderr).strip()[-1500:])


def main():
    src = os.environ["FRAMELOOM_SOURCE_ROOT"]
    meson = os.environ.get("MESON") or shutil.which("meson")
    if not meson:
        print("SKIP: meson is not available")
        return 77

    with tempfile.TemporaryDirectory(prefix="frameloom-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        build = os.path.join(tmp, "build")
        # buildtype=plain compiles fastest; only installation is under test here.
        if not step([meson, "setup", build, src, "--prefix=" + prefix, "--buildtype=plain",
                     "-Dcorpus=" + os.path.join(tmp, "no-corpus")], "meson setup --prefix", 120):
            return 1
        if not step([meson, "install", "-C", build], "meson install", 400):
            return 1

        options = subprocess.run([meson, "introspect", "--buildoptions", build],
                                 capture_output=True, text=True).stdout
        match = re.search(r'"name": "libexecdir", "value": "([^"]+)"', options)
        libexec = os.path.join(prefix, match.group(1) if match else "libexec")
        share = os.path.join(prefix, "share")
        expected = [
            os.path.join(prefix, "bin", "frameloom"),
            os.path.join(prefix, "bin", "frameloom-server"),
            os.path.join(prefix, "bin", "frameloom-client"),
            os.path.join(libexec, "frameloom-gif-worker"),
            os.path.join(share, "applications", APP_ID + ".desktop"),
            os.path.join(share, "metainfo", APP_ID + ".metainfo.xml"),
            os.path.join(share, "icons", "hicolor", "scalable", "apps", APP_ID + ".svg"),
            os.path.join(share, "icons", "hicolor", "symbolic", "apps", APP_ID + "-symbolic.svg"),
            os.path.join(share, "glib-2.0", "schemas", APP_ID + ".gschema.xml"),
            os.path.join(share, "dbus-1", "services", APP_ID + ".service"),
            os.path.join(share, "man", "man1", "frameloom-server.1"),
            os.path.join(share, "man", "man1", "frameloom-client.1"),
            os.path.join(share, "locale", "ru", "LC_MESSAGES", "frameloom.mo"),
        ]
        for path in expected:
            check(os.path.isfile(path), "installed " + os.path.relpath(path, prefix))

        desktop = os.path.join(share, "applications", APP_ID + ".desktop")
        if os.path.isfile(desktop):
            text = open(desktop, encoding="utf-8").read()
            check("MimeType=image/gif;" in text and "Name[ru]=" in text,
                  "the desktop file declares image/gif and carries the Russian strings")

        service = os.path.join(share, "dbus-1", "services", APP_ID + ".service")
        if os.path.isfile(service):
            text = open(service, encoding="utf-8").read()
            check(f"Name={APP_ID}\n" in text
                  and f"Exec={os.path.join(prefix, 'bin', 'frameloom')} --gapplication-service"
                  in text, "the D-Bus service starts the installed app: " + text.strip())
        if os.path.isfile(desktop):
            check("DBusActivatable=true" in open(desktop, encoding="utf-8").read(),
                  "the desktop file is D-Bus activatable")

        server_bin = os.path.join(prefix, "bin", "frameloom-server")
        client_bin = os.path.join(prefix, "bin", "frameloom-client")
        r = run([server_bin, "--version"])
        check(r.returncode == 0 and r.stdout.startswith("frameloom-server "),
              "installed frameloom-server --version: " + r.stdout.strip())
        r = run([client_bin, "--help"], env=clean_env(LANGUAGE="ru"))
        check(r.returncode == 0 and "Показать версию и выйти" in r.stdout,
              "installed frameloom-client --help under LANGUAGE=ru is Russian")

        # The installed client, server and worker together, no FRAMELOOM_GIF_WORKER.
        gif = os.path.join(tmp, "out.gif")
        server = subprocess.Popen([server_bin, "--host", "127.0.0.1", "--port", "0", "--quiet"],
                                  env=clean_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            first = server.stdout.readline()
            match = re.match(r"Listening on 127\.0\.0\.1:(\d+)", first)
            if check(match is not None, "installed server listens: " + first.strip()):
                r = run([client_bin, "--port", match.group(1), "--frames", "40",
                         "--threads", "4", "--processes", "2", "--quiet",
                         "--frames-dir", os.path.join(tmp, "frames"), "--output", gif])
                lines = r.stdout.splitlines()
                check(r.returncode == 0 and len(lines) == 2
                      and lines[0].startswith("Frames download time: ")
                      and lines[1].startswith("GIF creation time: "),
                      "installed client runs against the installed server: "
                      + repr(r.stdout + r.stderr))
                check(os.path.isfile(gif) and open(gif, "rb").read(6) == b"GIF89a",
                      "the installed worker wrote a GIF89a")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
        check(server.returncode == 0, f"installed server stops cleanly (status {server.returncode})")

        # The schema: compile it where it was installed, then look it up there.
        schemas = os.path.join(share, "glib-2.0", "schemas")
        if shutil.which("glib-compile-schemas") and shutil.which("gsettings"):
            r = run(["glib-compile-schemas", "--strict", schemas])
            check(r.returncode == 0, "glib-compile-schemas on the installed schema " + r.stderr)
            r = run(["gsettings", "get", APP_ID, "client-frames"],
                    env=clean_env(GSETTINGS_SCHEMA_DIR=schemas, GSETTINGS_BACKEND="memory"))
            check(r.returncode == 0 and r.stdout.strip() == "5000",
                  "gsettings finds the installed schema: " + (r.stdout + r.stderr).strip())
        else:
            print("# glib-compile-schemas or gsettings missing: schema look-up not checked")

        # The installed app on that schema: it says "Settings schema ... not
        # found" when it runs without one. First make sure it does say so.
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            empty = os.path.join(tmp, "empty")
            os.mkdir(empty)
            alive, err = start_app(prefix, gif, GSETTINGS_SCHEMA_DIR=empty, XDG_DATA_DIRS=empty)
            check(alive and "Settings schema" in err,
                  "without a schema the installed app runs and says so")
            alive, err = start_app(prefix, gif, GSETTINGS_SCHEMA_DIR=schemas)
            check(alive and "Settings schema" not in err,
                  "the installed app starts with the installed schema " + err.strip()[-2000:])
            check_dbus_activation(share, gif)
        else:
            print("# no display: the installed app was not started (run under xvfb-run -a)")

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
