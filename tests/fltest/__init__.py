"""fltest: what the Python tests share.

taplib (TAP output), clienttest (running the programs), hostile and
hostile_server (fake peers, /proc), procstat (a process's CPU time), pngcheck
and tracecheck (reading what the programs wrote), and the peers the tests start
as programs of their own (lab_server, lab_client, check_servers, check_clients,
slow_server, check_gif_pillow). meson's test environment puts tests/ on PYTHONPATH.
"""
import os

FOLDER = os.path.dirname(os.path.abspath(__file__))


def peer(name):
    """The path of one of the package's programs (run with a Python of its own)."""
    return os.path.join(FOLDER, name)
