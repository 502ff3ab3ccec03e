#!/usr/bin/env python3
"""Programs run from the build tree, from a relocated install, and in `meson devenv`.

With no FRAMELOOM_* variable set:
- build/src/cli/frameloom-client finds the GIF worker built beside it;
- a copy of the programs moved to PREFIX/bin finds PREFIX/libexec/frameloom-gif-worker
  (an install moved as a whole), not the one it was configured with;
- a worker that cannot be found is said before the download starts (no connection);
- `meson devenv -C BUILD` has the worker, the translations and the schema in place.

Environment: FRAMELOOM_CLIENT, FRAMELOOM_SERVER, FRAMELOOM_GIF_WORKER,
FRAMELOOM_BUILD_ROOT, MESON (optional).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

from fltest import taplib

CLIENT = os.environ.get("FRAMELOOM_CLIENT", "")
SERVER = os.environ.get("FRAMELOOM_SERVER", "")
WORKER = os.environ.get("FRAMELOOM_GIF_WORKER", "")
BUILD = os.environ.get("FRAMELOOM_BUILD_ROOT", "")
MESON = os.environ.get("MESON") or shutil.which("meson")
if not (CLIENT and SERVER and WORKER and BUILD):
    print("1..0 # SKIP the programs are not configured")
    sys.exit(0)
work = tempfile.mkdtemp(prefix="fl-build-tree-")


def clean_env(**extra):
    """The environment minus everything that points into the build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FRAMELOOM_", "GSETTINGS_", "MESON"))}
    env["LANG"] = "C.UTF-8"
    env.update(extra)
    return env


class Server:
    def __enter__(self):
        self.proc = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", "0", "--quiet"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        self.port = int(self.proc.stdout.readline().rsplit(":", 1)[1])
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


def client(program, port, name, env=None, timeout=120):
    return subprocess.run([program, "--port", str(port), "--frames", "30", "--quiet",
                           "--frames-dir", name, "--output", name + ".gif"],
                          cwd=work, env=env or clean_env(), capture_output=True, text=True,
                          timeout=timeout)


@taplib.test
def the_build_tree_client_finds_its_worker():
    with Server() as server:
        r = client(CLIENT, server.port, "build-tree")
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(os.path.join(work, "build-tree.gif")) > 0


@taplib.test
def a_relocated_install_uses_its_own_libexec():
    prefix = os.path.join(work, "moved")
    os.makedirs(os.path.join(prefix, "bin"))
    os.makedirs(os.path.join(prefix, "libexec"))
    program = os.path.join(prefix, "bin", "frameloom-client")
    shutil.copy2(CLIENT, program)
    marker = os.path.join(work, "moved-worker-ran")
    # The moved worker says it ran, then is the real one.
    with open(os.path.join(prefix, "libexec", "frameloom-gif-worker"), "w") as f:
        f.write(f"#!/bin/sh\ntouch '{marker}'\nexec '{WORKER}' \"$@\"\n")
    os.chmod(os.path.join(prefix, "libexec", "frameloom-gif-worker"), 0o755)
    with Server() as server:
        r = client(program, server.port, "moved")
    assert r.returncode == 0, r.stderr
    assert os.path.exists(marker), "the worker beside the program did not run"


@taplib.test
def a_missing_worker_is_said_before_the_download():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(1)
                conn.close()
            except OSError:
                pass

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    missing = os.path.join(work, "no-worker-here")
    r = client(CLIENT, listener.getsockname()[1], "missing",
               env=clean_env(FRAMELOOM_GIF_WORKER=missing))
    stop.set()
    thread.join(5)
    listener.close()
    assert r.returncode == 1, r
    assert r.stderr == (f"frameloom-client: Could not start the GIF worker {missing}: no such "
                        f"file or directory (set FRAMELOOM_GIF_WORKER to the worker's path)\n"), \
        r.stderr
    assert accepted == [], f"{len(accepted)} connections before the worker was checked"


@taplib.test
def meson_devenv_has_everything_an_uninstalled_run_needs():
    if not MESON:
        raise taplib.Skip("meson is not available")
    env = clean_env()
    dump = subprocess.run([MESON, "devenv", "-C", BUILD, "--dump"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert dump.returncode == 0, dump.stderr
    for name in ("FRAMELOOM_GIF_WORKER", "FRAMELOOM_LOCALEDIR", "PATH"):
        assert f"{name}=" in dump.stdout, dump.stdout
    if os.path.exists(os.path.join(BUILD, "data", "gschemas.compiled")):
        assert "GSETTINGS_SCHEMA_DIR=" in dump.stdout, dump.stdout
    # The CLI in Russian, from the build's catalogues, found on PATH.
    r = subprocess.run([MESON, "devenv", "-C", BUILD, "frameloom-client", "--help"],
                       env=dict(env, LANGUAGE="ru", LANG="C.UTF-8"), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert any("\u0400" <= c <= "\u04ff" for c in r.stdout), r.stdout[:400]
    with Server() as server:
        r = subprocess.run([MESON, "devenv", "-C", BUILD, "frameloom-client", "--port",
                            str(server.port), "--frames", "10", "--quiet", "--frames-dir",
                            os.path.join(work, "devenv"), "--output",
                            os.path.join(work, "devenv.gif")],
                           env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    if os.path.exists(os.path.join(BUILD, "data", "gschemas.compiled")) and shutil.which(
            "gsettings"):
        r = subprocess.run([MESON, "devenv", "-C", BUILD, "gsettings", "get",
                            "io.github.frameloom.Frameloom", "client-threads"],
                           env=dict(env, GSETTINGS_BACKEND="memory"), capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0 and r.stdout.strip().isdigit(), r


try:
    failed = taplib.run_tests()
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
