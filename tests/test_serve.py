"""The `losslab` command: its options, the websocket origins it allows, and serving from several
processes."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from losslab.server import options, serving as serve
from losslab.server.diagnostics import DIAGNOSTICS_ENV, diagnostics_enabled
from losslab.server.options import SECRET_KEY_ENV
from tests.raw_http import open_websocket, page_token, read_frame


def parse(*argv):
    return options.parse_args(list(argv))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- options -----------------------------------------------------------------------------------

def test_defaults_serve_this_machine_only():
    args = parse()
    assert (args.port, args.address, args.no_show) == (5006, "localhost", False)
    assert args.websocket_origins == ["localhost:5006", "127.0.0.1:5006"]
    assert args.num_procs == 1
    assert args.session_timeout == options.DEFAULT_SESSION_TIMEOUT_S
    assert args.warnings == []


def test_the_readme_command_still_parses():
    args = parse("--port", "5007", "--no-show")
    assert (args.port, args.no_show) == (5007, True)
    assert args.websocket_origins == ["localhost:5007", "127.0.0.1:5007"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "[::1]", "LOCALHOST"])
def test_loopback_addresses_keep_the_localhost_origins_and_warn_of_nothing(address):
    args = parse("--address", address, "--port", "6000")
    assert options.is_loopback(args.address)
    assert args.websocket_origins == ["localhost:6000", "127.0.0.1:6000"]
    assert args.warnings == []


def test_another_loopback_address_allows_itself_without_warning():
    args = parse("--address", "127.0.0.2", "--port", "6000")
    assert args.websocket_origins == ["127.0.0.2:6000"]
    assert args.warnings == []
    assert serve.page_url(args) == "http://127.0.0.2:6000/"


def test_a_network_address_without_origins_allows_only_itself_and_warns():
    args = parse("--address", "192.168.1.20", "--port", "5006")
    assert args.websocket_origins == ["192.168.1.20:5006"]
    text = " ".join(args.warnings)
    assert "not only on this machine" in text
    assert "http://192.168.1.20:5006/" in text and "--allow-websocket-origin" in text


def test_a_network_host_name_allows_only_itself():
    args = parse("--address", "lab-pc.local", "--port", "8080")
    assert args.websocket_origins == ["lab-pc.local:8080"]


def test_given_origins_are_used_as_given_without_duplicates():
    args = parse("--address", "192.168.1.20", "--allow-websocket-origin", "Lab-PC.local:5006",
                 "--allow-websocket-origin", "192.168.1.20:5006",
                 "--allow-websocket-origin", "lab-pc.local:5006")
    assert args.websocket_origins == ["lab-pc.local:5006", "192.168.1.20:5006"]
    assert any("not only on this machine" in w for w in args.warnings)
    assert not any("No --allow-websocket-origin" in w for w in args.warnings)


def test_origins_behind_a_local_reverse_proxy_need_no_warning():
    args = parse("--allow-websocket-origin", "lab.example.org",
                 "--allow-websocket-origin", "lab.example.org:8443")
    assert args.websocket_origins == ["lab.example.org", "lab.example.org:8443"]
    assert args.warnings == []


def test_an_https_port_in_an_origin_is_pointed_out():
    # Browsers send https://lab.example.org without :443, so this origin would never match it.
    args = parse("--allow-websocket-origin", "lab.example.org:443")
    assert args.websocket_origins == ["lab.example.org:443"]
    assert any("give lab.example.org" in w for w in args.warnings)


def test_every_interface_needs_an_explicit_origin(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse("--address", "0.0.0.0")
    assert exit_.value.code == 2
    assert "--allow-websocket-origin HOST:PORT" in capsys.readouterr().err
    args = parse("--address", "0.0.0.0", "--allow-websocket-origin", "192.168.1.20:5006")
    assert args.websocket_origins == ["192.168.1.20:5006"]
    assert args.warnings and "not only on this machine" in args.warnings[0]
    assert serve.page_url(args) == "http://192.168.1.20:5006/"


def test_an_ipv6_network_address_needs_a_named_origin(capsys):
    with pytest.raises(SystemExit):
        parse("--address", "fe80::1")
    assert "IPv6" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--port", "0"], "not a port number"),
    (["--port", "70000"], "not a port number"),
    (["--port", "http"], "not a port number"),
    (["--num-procs", "0"], "at least 1 process"),
    (["--num-procs", "-2"], "at least 1 process"),
    (["--num-procs", "two"], "not a whole number"),
    (["--session-timeout", "0.5"], "at least 1"),
    (["--session-timeout", "nan"], "finite number of seconds"),
    (["--session-timeout", "inf"], "finite number of seconds"),
    (["--session-timeout", "soon"], "not a number of seconds"),
    (["--address", "my host"], "not an IP address or a host name"),
    (["--address", ""], "not an IP address or a host name"),
    (["--address=-bad.example"], "not an IP address or a host name"),
    (["--allow-websocket-origin", "http://192.168.1.20:5006"], "without http://"),
    (["--allow-websocket-origin", "lab.example.org/path"], "without http://"),
    (["--allow-websocket-origin", "*"], "any site"),
    (["--allow-websocket-origin", "*:5006"], "any site"),
    (["--allow-websocket-origin", "lab.example.org:"], "port after ':' is missing"),
    (["--allow-websocket-origin", "lab.example.org:web"], "not a port number"),
    (["--allow-websocket-origin", "[::1]:5006"], "IPv6"),
    (["--allow-websocket-origin", "bad_host:5006"], "not a host name"),
    (["--allow-websocket-origin", ":5006"], "not a host name"),
])
def test_bad_values_are_refused_with_a_clear_message(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        parse(*argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "losslab: error: argument" in err
    assert message in err


def test_bokeh_style_wildcard_octets_are_an_explicit_choice():
    args = parse("--address", "0.0.0.0", "--allow-websocket-origin", "192.168.*.*:5006")
    assert args.websocket_origins == ["192.168.*.*:5006"]
    assert serve.page_url(args) is None  # no one address to open


def test_the_diagnostics_route_is_only_on_when_asked():
    assert not diagnostics_enabled({})
    assert not diagnostics_enabled({"LOSSLAB_DIAGNOSTICS": "0"})
    assert not diagnostics_enabled({"LOSSLAB_DIAGNOSTICS": "yes"})
    assert diagnostics_enabled({"LOSSLAB_DIAGNOSTICS": "1"})


# -- the server --------------------------------------------------------------------------------

def losslab_command():
    beside = Path(sys.executable).with_name("losslab")
    command = str(beside) if beside.exists() else shutil.which("losslab")
    if command is None:
        pytest.fail("the `losslab` command is not installed: run the README's install command")
    return command


class Served:
    """A `losslab` process, its output in a file (a pipe nobody reads could fill and stall it)."""

    def __init__(self, *args, diagnostics=False, port=None, secret_key=None):
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}/"
        env = {k: v for k, v in os.environ.items() if k not in (DIAGNOSTICS_ENV, SECRET_KEY_ENV)}
        if diagnostics:
            env[DIAGNOSTICS_ENV] = "1"
        if secret_key is not None:
            env[SECRET_KEY_ENV] = secret_key
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [losslab_command(), "--port", str(self.port), "--no-show", *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"losslab exited with {self.process.returncode}:\n{self.output()}")
            try:
                # A page takes a few seconds to build on a busy machine: a short timeout would
                # only ask it again and again.
                with urllib.request.urlopen(self.url, timeout=15) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        output = self.output()
        self.stop()
        pytest.fail(f"losslab did not answer within {timeout} s:\n{output}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode(errors="replace")


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_two_processes_serve_the_page_and_stop_with_the_command():
    served = Served("--num-procs", "2").wait_ready()
    try:
        for _ in range(2):
            status, page = fetch(served.url)
            assert status == 200
            assert "<title>LossLab</title>" in page
        # Only a server started for tests has the diagnostics route.
        with pytest.raises(urllib.error.HTTPError) as error:
            fetch(served.url + "diagnostics")
        assert error.value.code == 404
        assert "from 2 processes" in served.output()
    finally:
        served.stop()
    # The workers notice that the command has gone and free the port.
    deadline = time.monotonic() + 10
    while not port_is_free(served.port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert port_is_free(served.port), "a worker process went on serving after the command stopped"


def sockets_of(pid):
    """Inodes of the sockets process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def tcp_sockets(port, state):
    """Inodes of this machine's TCP sockets on local `port` in `state` ("0A" listening,
    "01" established)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(fields[9])
    return found


def workers_of(pid):
    return [int(child) for task in Path(f"/proc/{pid}/task").glob("*/children")
            for child in task.read_text().split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_two_processes_each_take_a_fair_share_of_the_connections():
    # A class opens the page at once. With one socket shared by the processes, the first to
    # wake up took nearly every connection; with a socket each, the kernel spreads them.
    assert serve.spreads_connections()
    served = Served("--num-procs", "2").wait_ready()
    clients = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = workers_of(served.process.pid)
            listening = tcp_sockets(served.port, "0A")
            if len(workers) == 2 and all(sockets_of(w) & listening for w in workers):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"two workers did not both listen:\n{served.output()}")
        for _ in range(40):
            clients.append(socket.create_connection(("127.0.0.1", served.port)))
        time.sleep(1.0)
        established = tcp_sockets(served.port, "01")
        shares = sorted(len(sockets_of(w) & established) for w in workers)
        assert sum(shares) == 40
        # Spread by a hash of each connection's address: 40 fall 20 ± 3 or so to each; fewer
        # than 8 on one side happens about once in 30 000 runs.
        assert shares[0] >= 8, f"connections per process: {shares}"
    finally:
        for client in clients:
            client.close()
        served.stop()


@pytest.mark.parametrize("processes", [[], ["--num-procs", "2"]], ids=["one process", "two"])
def test_a_port_in_use_is_reported_plainly(processes):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = Served(*processes, port=port)
        try:
            assert served.process.wait(timeout=60) == 1
            # Once, also with several processes: the port is checked before any is started.
            assert served.output().count(f"cannot listen on localhost port {port}") == 1
        finally:
            if served.process.poll() is None:
                served.stop()


def test_a_secret_key_is_taken_from_the_environment_only_when_long_enough(monkeypatch, capsys):
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    assert parse().secret_key is None  # one is made at start
    monkeypatch.setenv(SECRET_KEY_ENV, " " + "k" * 32 + "\n")
    assert parse().secret_key == b"k" * 32
    monkeypatch.setenv(SECRET_KEY_ENV, "k" * 31)
    with pytest.raises(SystemExit):
        parse()
    assert f"{SECRET_KEY_ENV} must be at least 32 characters" in capsys.readouterr().err


def first_message_type(url, token):
    """The type of the first message the lab at `url` sends a websocket presenting `token`, or
    None if it closes the connection instead."""
    with open_websocket(url, token) as sock:
        try:
            opcode = None
            while opcode != 0x1:  # a text frame: a Bokeh message's header
                opcode, payload = read_frame(sock)
        except ConnectionError:
            return None
        return json.loads(payload)["msgtype"]


def test_backends_given_one_secret_open_each_others_pages_and_no_other_does():
    # Behind a proxy without sticky sessions, a page from one backend may open its websocket
    # on another: that backend must accept the page's signed token (and open its lab there).
    secret = "s" * 40
    first, second = Served(secret_key=secret), Served(secret_key=secret)
    stranger = Served()
    try:
        for served in (first, second, stranger):
            served.wait_ready()
        status, page = fetch(first.url + "?loss=softmax")
        assert status == 200
        token = page_token(page)
        assert first_message_type(second.url, token) == "ACK"
        assert first_message_type(stranger.url, token) is None  # signed with another secret
    finally:
        for served in (first, second, stranger):
            served.stop()
