"""A running process as /proc shows it: the CPU time it used, and waiting until it
stops using any (standard library only)."""
import os
import time


def cpu_seconds(pid):
    """User plus system CPU seconds pid has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid, seconds=30):
    """Until half a second passes with no CPU used (for at most seconds): a server's
    handlers have finished encoding their images (seconds under ThreadSanitizer) and
    sit in send(), so what a test times next is the stop, not the encoder."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.05:
            return
