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

Environment: FRAMELOOM_SOURCE_ROOT, MESON (the meson to use). Skips (TAP
"1..0 # SKIP") without meson.
"""
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time

from fltest.taplib import Skip, fixture, run, test

APP_ID = "io.github.frameloom.Frameloom"
SRC = os.environ["FRAMELOOM_SOURCE_ROOT"]
MESON = os.environ.get("MESON") or shutil.which("meson")
if not MESON:
    print("1..0 # SKIP meson is not available", flush=True)
    sys.exit(0)
TMP = tempfile.mkdtemp(prefix="frameloom-install-")
PREFIX = os.path.join(TMP, "prefix")
SHARE = os.path.join(PREFIX, "share")
SCHEMAS = os.path.join(SHARE, "glib-2.0", "schemas")
DESKTOP = os.path.join(SHARE, "applications", APP_ID + ".desktop")
# The GIF the installed programs write, which the app then opens.
GIF = os.path.join(TMP, "out.gif")


def clean_env(**extra):
    """The caller's environment minus everything that points into a build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FRAMELOOM_", "GSETTINGS_", "LC_", "LANGUAGE", "MESON"))}
    env["LANG"] = "C.UTF-8"
    env.update(extra)
    return env


def run_program(argv, timeout=60, **kwargs):
    kwargs.setdefault("env", clean_env())
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)


def step(argv, what, timeout):
    start = time.monotonic()
    r = run_program(argv, timeout=timeout, env=dict(os.environ))
    assert r.returncode == 0, f"{what} failed:\n" + (r.stdout + r.stderr)[-4000:]
    print(f"# {what} ({time.monotonic() - start:.0f} s)", flush=True)


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


def require_display():
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise Skip("no display: the installed app was not started (run under xvfb-run -a)")


@fixture
def installed():
    """A build configured with --prefix=<tmp>/prefix, installed there: its libexecdir."""
    build = os.path.join(TMP, "build")
    # buildtype=plain compiles fastest; only installation is under test here.
    step([MESON, "setup", build, SRC, "--prefix=" + PREFIX, "--buildtype=plain",
          "-Dcorpus=" + os.path.join(TMP, "no-corpus")], "meson setup --prefix", 120)
    step([MESON, "install", "-C", build], "meson install", 400)
    options = subprocess.run([MESON, "introspect", "--buildoptions", build],
                             capture_output=True, text=True).stdout
    match = re.search(r'"name": "libexecdir", "value": "([^"]+)"', options)
    return os.path.join(PREFIX, match.group(1) if match else "libexec")


@test
def meson_installs_every_file_an_installation_needs():
    libexec = installed()
    expected = [
        os.path.join(PREFIX, "bin", "frameloom"),
        os.path.join(PREFIX, "bin", "frameloom-server"),
        os.path.join(PREFIX, "bin", "frameloom-client"),
        os.path.join(libexec, "frameloom-gif-worker"),
        DESKTOP,
        os.path.join(SHARE, "metainfo", APP_ID + ".metainfo.xml"),
        os.path.join(SHARE, "icons", "hicolor", "scalable", "apps", APP_ID + ".svg"),
        os.path.join(SHARE, "icons", "hicolor", "symbolic", "apps", APP_ID + "-symbolic.svg"),
        os.path.join(SCHEMAS, APP_ID + ".gschema.xml"),
        os.path.join(SHARE, "dbus-1", "services", APP_ID + ".service"),
        os.path.join(SHARE, "man", "man1", "frameloom-server.1"),
        os.path.join(SHARE, "man", "man1", "frameloom-client.1"),
        os.path.join(SHARE, "locale", "ru", "LC_MESSAGES", "frameloom.mo"),
    ]
    missing = [os.path.relpath(path, PREFIX) for path in expected if not os.path.isfile(path)]
    assert not missing, f"not installed: {missing}"


@test
def the_desktop_file_declares_image_gif_russian_strings_and_d_bus_activation():
    installed()
    text = open(DESKTOP, encoding="utf-8").read()
    assert "MimeType=image/gif;" in text and "Name[ru]=" in text, text
    assert "DBusActivatable=true" in text, text


@test
def the_d_bus_service_starts_the_installed_app():
    installed()
    text = open(os.path.join(SHARE, "dbus-1", "services", APP_ID + ".service"),
                encoding="utf-8").read()
    assert (f"Name={APP_ID}\n" in text
            and f"Exec={os.path.join(PREFIX, 'bin', 'frameloom')} --gapplication-service"
            in text), text.strip()


@test
def the_installed_programs_answer_version_and_help_in_russian():
    installed()
    r = run_program([os.path.join(PREFIX, "bin", "frameloom-server"), "--version"])
    assert r.returncode == 0 and r.stdout.startswith("frameloom-server "), r.stdout + r.stderr
    r = run_program([os.path.join(PREFIX, "bin", "frameloom-client"), "--help"],
                    env=clean_env(LANGUAGE="ru"))
    assert r.returncode == 0 and "Показать версию и выйти" in r.stdout, \
        "installed frameloom-client --help under LANGUAGE=ru is not Russian: " + r.stdout


@test
def the_installed_client_server_and_worker_make_a_gif_together():
    # No FRAMELOOM_GIF_WORKER: the client finds the worker in libexecdir.
    installed()
    server = subprocess.Popen([os.path.join(PREFIX, "bin", "frameloom-server"), "--host",
                               "127.0.0.1", "--port", "0", "--quiet"],
                              env=clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        match = re.match(r"Listening on 127\.0\.0\.1:(\d+)", first)
        assert match is not None, "installed server does not listen: " + first.strip()
        r = run_program([os.path.join(PREFIX, "bin", "frameloom-client"), "--port",
                         match.group(1), "--frames", "40", "--threads", "4", "--processes", "2",
                         "--quiet", "--frames-dir", os.path.join(TMP, "frames"), "--output", GIF])
        lines = r.stdout.splitlines()
        assert (r.returncode == 0 and len(lines) == 2
                and lines[0].startswith("Frames download time: ")
                and lines[1].startswith("GIF creation time: ")), repr(r.stdout + r.stderr)
        assert os.path.isfile(GIF) and open(GIF, "rb").read(6) == b"GIF89a", \
            "the installed worker wrote no GIF89a"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
    assert server.returncode == 0, f"installed server stopped with status {server.returncode}"


@fixture
def compiled_schema():
    """The installed schema compiled where it was installed, as a package's
    post-install step does; the app and gsettings need it."""
    if not shutil.which("glib-compile-schemas"):
        raise Skip("glib-compile-schemas missing: the installed schema was not compiled")
    installed()
    r = run_program(["glib-compile-schemas", "--strict", SCHEMAS])
    assert r.returncode == 0, "glib-compile-schemas on the installed schema: " + r.stderr


@test
def the_installed_schema_compiles_and_gsettings_finds_it():
    if not shutil.which("gsettings"):
        raise Skip("gsettings missing: schema look-up not checked")
    compiled_schema()
    r = run_program(["gsettings", "get", APP_ID, "client-frames"],
                    env=clean_env(GSETTINGS_SCHEMA_DIR=SCHEMAS, GSETTINGS_BACKEND="memory"))
    assert r.returncode == 0 and r.stdout.strip() == "5000", (r.stdout + r.stderr).strip()


@test
def the_installed_app_starts_on_the_installed_schema():
    require_display()
    installed()
    # It says "Settings schema ... not found" when it runs without one: first
    # make sure it does say so.
    empty = os.path.join(TMP, "empty")
    os.makedirs(empty, exist_ok=True)
    alive, err = start_app(PREFIX, GIF, GSETTINGS_SCHEMA_DIR=empty, XDG_DATA_DIRS=empty)
    assert alive and "Settings schema" in err, \
        f"without a schema the installed app should run and say so (running: {alive}): {err}"
    compiled_schema()
    alive, err = start_app(PREFIX, GIF, GSETTINGS_SCHEMA_DIR=SCHEMAS)
    assert alive and "Settings schema" not in err, err.strip()[-2000:]


@test
def d_bus_activation_starts_the_installed_app():
    """On a session bus that looks in the prefix (XDG_DATA_DIRS), opening a file
    through the app's bus name starts the installed app from its .service file
    (as a desktop does for a DBusActivatable app); it then quits on request."""
    require_display()
    if not shutil.which("dbus-run-session") or not shutil.which("gdbus"):
        raise Skip("dbus-run-session or gdbus missing: D-Bus activation not checked")
    compiled_schema()
    path = "/" + APP_ID.replace(".", "/")
    script = (
        f"gdbus call --session --dest {APP_ID} --object-path {path} "
        f"--method org.freedesktop.Application.Open \"['file://{GIF}']\" '{{}}' && sleep 3 && "
        f"gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus "
        f"--method org.freedesktop.DBus.NameHasOwner {APP_ID} && "
        f"gdbus call --session --dest {APP_ID} --object-path {path} "
        f"--method org.freedesktop.Application.ActivateAction quit '[]' '{{}}'")
    r = run_program(["dbus-run-session", "--", "sh", "-c", script], timeout=60,
                    env=clean_env(XDG_DATA_DIRS=SHARE + ":/usr/share", GSETTINGS_BACKEND="memory",
                                  NO_AT_BRIDGE="1"))
    assert r.returncode == 0 and "(true,)" in r.stdout, (r.stdout + r.stderr).strip()[-1500:]


try:
    run()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
