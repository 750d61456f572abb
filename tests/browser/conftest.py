"""The served page in headless Chromium, as a person would use it.

The server is started with the README's command (`losslab --port P --no-show`); the browser is
Debian's Chromium, driven by Playwright. A missing Chromium is a failure, never a skip.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.lab import Lab
from tests.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


SERVER_LOGS = []
"""The log file of every server started here: a failed test's report shows what each server
logged while it ran."""


def start_server(*options):
    """Start `losslab --port P --no-show` with `options`; returns (process, url).

    The server's output goes to a file (tests/artifacts/server-P.log): a pipe nobody reads would
    stop the server once its buffer filled."""
    # The console script installed beside this Python (a virtual environment's bin/), else PATH.
    beside = Path(sys.executable).with_name("losslab")
    command = str(beside) if beside.exists() else shutil.which("losslab")
    if command is None:
        pytest.fail("the `losslab` command is not installed: run the README's install command")
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"server-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([command, "--port", str(port), "--no-show", *options],
                                   stdout=output, stderr=subprocess.STDOUT)
    SERVER_LOGS.append(log)
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"losslab exited with {process.returncode}:\n"
                        f"{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("losslab did not answer within 60 s")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.server_log_sizes = {log: log.stat().st_size for log in SERVER_LOGS if log.exists()}
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for log in SERVER_LOGS:
            if log.exists():
                with open(log, "rb") as f:
                    f.seek(getattr(item, "server_log_sizes", {}).get(log, 0))
                    logged = f.read().decode(errors="replace")
                if logged.strip():
                    report.sections.append((f"what {log.name} logged during the test", logged))
    return report


@pytest.fixture(scope="session")
def server():
    process, url = start_server()
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Watched:
    """A browser page with the console errors and the off-machine requests it produced."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors = []
        self.foreign_requests = []
        self.stream_pictures = []  # when each picture of a class's stream reached the page
        self.page.on("websocket", self._on_websocket)
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", self._on_request)

    def _on_websocket(self, socket):
        if "/picture-stream" in socket.url:
            socket.on("framereceived", lambda payload: self.stream_pictures.append(time.monotonic()))

    def _on_request(self, request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            self.foreign_requests.append(request.url)


@pytest.fixture
def open_lab(browser, server):
    """Open the lab in fresh browser contexts; each is checked for errors when the test ends."""
    opened = []

    def open_(url=None, viewport=(1400, 900), **context):
        """`context`: more of Playwright's context options (has_touch, is_mobile,
        device_scale_factor, …), for a tablet or a phone."""
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                      **context)
        watched = Watched(context)
        watched.url = url or server
        watched.page.goto(watched.url)
        lab = Lab(watched.page)
        lab.stream_pictures = watched.stream_pictures
        lab.wait_ready()
        opened.append(watched)
        return lab

    yield open_
    for watched in opened:
        watched.context.close()
    for watched in opened:
        assert watched.errors == [], f"browser console errors on {watched.url}: {watched.errors}"
        assert watched.foreign_requests == [], f"requests left the machine: {watched.foreign_requests}"


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
