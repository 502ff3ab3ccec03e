"""frameloom-server as a user runs it: options, output lines, signals, errors."""
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time

from fltest.pngcheck import png_size
from fltest.procstat import cpu_seconds, wait_until_quiet
from fltest.taplib import Skip, run, test

SERVER = os.environ["FRAMELOOM_SERVER"]
_started = []


def kill_leftovers():
    """A failed assertion must not leave a server running (or holding its port)."""
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start(*args, **popen_args):
    proc = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen_args)
    _started.append(proc)
    line = proc.stdout.readline()
    match = re.fullmatch(r"Listening on 127\.0\.0\.1:(\d+)\n", line)
    assert match, f"unexpected first line {line!r}, stderr {proc.stderr.read()!r}"
    return proc, int(match.group(1))


def fetch(port, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        local_port = sock.getsockname()[1]
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return local_port, b"".join(chunks)


def stop(proc, timeout=5):
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


@test
def help_and_version():
    out = subprocess.run([SERVER, "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for option in ("--host", "--port", "--size", "--max-connections", "--quiet", "--version",
                   "--latency-ms", "--jitter-ms", "--cost-us"):
        assert option in out.stdout, option
    out = subprocess.run([SERVER, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and re.fullmatch(r"frameloom-server \d+\.\d+\.\d+\n", out.stdout)


@test
def bad_arguments_exit_2_with_one_sentence():
    cases = {
        ("--port", "99999"): 'Port "99999" is not valid',
        ("--port", "abc"): 'Port "abc" is not valid',
        ("--size", "0x10"): "Image size 0x10 is not allowed",
        ("--size", "ten"): 'Image size "ten" is not valid',
        ("--max-connections", "0"): "Maximum connections 0 is not valid",
        ("--latency-ms", "60001"): '--latency-ms "60001" is not valid: expected a whole number '
                                   'from 0 to 60000',
        ("--latency-ms", "-5"): '--latency-ms "-5" is not valid',
        ("--jitter-ms", "1.5"): '--jitter-ms "1.5" is not valid',
        ("--cost-us", "lots"): '--cost-us "lots" is not valid: expected a whole number from 0 '
                               'to 1000000',
        ("--bogus",): "Unknown option --bogus",
        ("stray",): 'Unexpected argument "stray"',
        ("--host", "192.0.2.1", "--port", "0"): "Could not bind 192.0.2.1:0: cannot assign requested address",
    }
    for args, sentence in cases.items():
        out = subprocess.run([SERVER, *args], capture_output=True, text=True, timeout=5)
        assert out.returncode == 2, (args, out.returncode)
        assert out.stdout == "", (args, out.stdout)
        first = out.stderr.splitlines()[0]
        assert first.startswith(f"frameloom-server: {sentence}"), (args, first)


@test
def serves_500_sequential_and_500_concurrent_and_prints_the_lab_lines():
    proc, port = start()
    local_ports = []
    for _ in range(500):
        local_port, data = fetch(port)
        assert png_size(data) == (10, 10)
        local_ports.append(local_port)

    results = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            local, data = fetch(port)
            with lock:
                results.append((local, data))

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 500
    for _, data in results:
        assert png_size(data) == (10, 10)
    assert len({data for _, data in results}) == 500, "two images were the same"

    code, out, err = stop(proc)
    assert code == 0, (code, err)
    lines = out.splitlines()
    sent = [line for line in lines if line.startswith("Sent an image to ")]
    assert len(sent) == 1000, len(sent)
    for line in sent:
        assert re.fullmatch(r"Sent an image to \(127\.0\.0\.1, \d+\)", line), line
    # The sequential part is in order: the first 500 lines name our ports in turn.
    assert [int(re.search(r", (\d+)\)", line).group(1)) for line in sent[:500]] == local_ports
    assert {int(re.search(r", (\d+)\)", line).group(1)) for line in sent[500:]} == \
        {local for local, _ in results}
    assert lines[-1] == "Stopped: 1000 images sent, 0 failed connections", lines[-1]


@test
def quiet_drops_the_per_image_lines():
    proc, port = start("--quiet")
    for _ in range(20):
        assert png_size(fetch(port)[1]) == (10, 10)
    code, out, _ = stop(proc)
    assert code == 0
    assert out == "Stopped: 20 images sent, 0 failed connections\n", out


@test
def other_sizes():
    proc, port = start("--size", "37x5", "--quiet")
    assert png_size(fetch(port)[1]) == (37, 5)
    assert stop(proc)[0] == 0


@test
def port_in_use_exits_2_with_the_sentence():
    proc, port = start("--quiet")
    out = subprocess.run([SERVER, "--host", "127.0.0.1", "--port", str(port)],
                         capture_output=True, text=True, timeout=5)
    assert out.returncode == 2
    assert out.stderr == f"frameloom-server: Could not bind 127.0.0.1:{port}: address already in use\n"
    assert stop(proc)[0] == 0


@test
def sigterm_stops_cleanly_and_frees_the_port():
    proc, port = start("--quiet")
    fetch(port)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=5)
    assert proc.returncode == 0
    assert out.endswith("Stopped: 1 images sent, 0 failed connections\n")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # free again


@test
def sigint_with_a_stalled_client_exits_within_the_grace():
    # 2048x2048 is 12 MiB: more than loopback buffers, so the handler is stuck.
    proc, port = start("--size", "2048x2048", "--quiet")
    stalled = socket.create_connection(("127.0.0.1", port))
    wait_until_quiet(proc.pid)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    took = time.monotonic() - began
    stalled.close()
    assert proc.returncode == 0
    assert 1.5 < took < 4, took  # the 2 s grace, then the cut
    assert "1 failed connections" in out
    refused = socket.socket()
    assert refused.connect_ex(("127.0.0.1", port)) != 0
    refused.close()


@test
def second_sigint_exits_at_once():
    proc, port = start("--size", "2048x2048", "--quiet")
    stalled = socket.create_connection(("127.0.0.1", port))
    wait_until_quiet(proc.pid)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=5)
    stalled.close()
    # Well before the 2 s grace the first signal started would end (status 130,
    # not the graceful 0, says which path ran).
    assert time.monotonic() - began < 1.4
    assert proc.returncode == 130
    assert "stopping at once" in err


@test
def hostile_clients_do_not_stop_service():
    proc, port = start("--quiet")
    for _ in range(100):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.close()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        try:
            sock.send(b"\x00junk" * 200000)
        except BlockingIOError:
            pass
        sock.close()
    for _ in range(100):
        assert png_size(fetch(port)[1]) == (10, 10)
    assert proc.poll() is None
    assert stop(proc)[0] == 0


@test
def descriptor_exhaustion_backs_off_and_recovers():
    if shutil.which("prlimit") is None:
        raise Skip("prlimit is not installed")

    def low_limit():
        # Few handlers to encode before the process may go quiet (slow under TSan).
        resource.setrlimit(resource.RLIMIT_NOFILE, (12, 12))

    # 1100x1100 RGB (3.6 MB) is more than loopback buffers take in when the
    # peer never reads and its receive buffer is 4 KiB, so each handler holds
    # its descriptor (smaller than it could be: encoding is slow under TSan).
    proc, port = start("--size", "1100x1100", "--quiet", preexec_fn=low_limit)
    stalled = []
    for _ in range(30):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        stalled.append(sock)
    # The accepted ones first encode their images (slow in sanitizer
    # builds), then block in send. With descriptors exhausted, the process must
    # then go quiet: a spinning accept loop would keep a core busy for ever.
    quiet = False
    deadline = time.monotonic() + 9.5  # before the 10 s send timeout frees descriptors
    while not quiet and time.monotonic() < deadline:
        before = cpu_seconds(proc.pid)
        time.sleep(0.5)
        quiet = cpu_seconds(proc.pid) - before < 0.1
    assert quiet, "the server kept a core busy with descriptors exhausted: the accept loop spins"
    for sock in stalled:
        sock.close()
    time.sleep(0.5)
    for _ in range(5):
        # Generous: five 3.6 MB images take long to encode under ThreadSanitizer.
        assert png_size(fetch(port, timeout=60)[1]) == (1100, 1100)
    code, out, err = stop(proc, timeout=10)
    assert code == 0
    assert "Could not accept a connection: too many open files; pausing for 100 ms" in err, err
    assert err.count("pausing") <= 10, "the message is not rate-limited"



def timed_fetch(port):
    began = time.monotonic()
    _, data = fetch(port)
    return time.monotonic() - began, data


@test
def latency_delays_every_reply_and_overlaps():
    proc, port = start("--quiet", "--latency-ms", "250", "--max-connections", "4")
    took, data = timed_fetch(port)
    assert png_size(data) == (10, 10)
    assert took >= 0.25, took
    # 32 clients at once through 4 threads: about one latency, not 8 or 32.
    results = []
    threads = [threading.Thread(target=lambda: results.append(timed_fetch(port)))
               for _ in range(32)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    all_took = time.monotonic() - began
    longest = max(took for took, _ in results)
    print(f"# one reply {took:.3f} s; 32 at once: the longest {longest:.3f} s, all in "
          f"{all_took:.3f} s", flush=True)
    assert len(results) == 32 and all(png_size(data) == (10, 10) for _, data in results)
    assert min(took for took, _ in results) >= 0.25
    # About one latency each, not up to 8 (32 clients over 4 threads).
    assert longest < 4 * 0.25, longest
    assert all_took < 12 * 0.25, all_took
    code, out, _ = stop(proc)
    assert code == 0 and out.endswith("Stopped: 33 images sent, 0 failed connections\n"), out


@test
def cost_burns_the_servers_cpu():
    proc, port = start("--quiet", "--cost-us", "5000")
    fetch(port)
    before = cpu_seconds(proc.pid)
    for _ in range(100):
        _, data = fetch(port)
        assert png_size(data) == (10, 10)
    used = cpu_seconds(proc.pid) - before
    print(f"# 100 images at --cost-us 5000: {used:.2f} s of the server's CPU", flush=True)
    assert used >= 0.45, used
    assert stop(proc)[0] == 0

run(after_each=kill_leftovers)
