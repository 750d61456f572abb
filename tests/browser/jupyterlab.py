"""A real JupyterLab for the notebook tests: started on 127.0.0.1 with every Jupyter folder of
its own, nothing it would fetch from the internet (news, update checks, the extension manager's
index), and a notebook whose cells the test runs the way a person does (Shift+Enter in command
mode), reading the kernel's answers from a report cell's output.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import free_port
from tests.browser.lab import PLOT

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
"""The notebook shown (JupyterLab keeps other documents' panels in the page, hidden)."""

START_TIMEOUT_S = 90

SETTINGS = {
    # Every cell stays in the page: JupyterLab otherwise takes the cells scrolled out of view
    # out of it, and with them the output a test reads.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}

_IDLE_JS = """(notebook) => {
  const indicator = document.querySelector(notebook + " .jp-Notebook-ExecutionIndicator")
  const bar = document.querySelector("#jp-main-statusbar")?.textContent || ""
  return indicator?.getAttribute("data-status") == "idle" && bar.includes("Idle")
}"""


@contextlib.contextmanager
def jupyterlab():
    """A JupyterLab server on this machine only: {url, token, root}."""
    home = Path(tempfile.mkdtemp(prefix="losslab-jupyterlab-"))
    env = dict(os.environ)
    for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
        (home / folder).mkdir()
        env[variable] = str(home / folder)
    # The announcements plugin would ask for consent to fetch news.
    (home / "config" / "labconfig").mkdir()
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    for plugin, values in SETTINGS.items():
        path = home / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    root = home / "root"
    root.mkdir()
    port, token = free_port(), secrets.token_hex(16)
    log = open(home / "jupyterlab.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", f"--LabApp.user_settings_dir={home / 'settings'}",
         f"--LabApp.workspaces_dir={home / 'workspaces'}",
         "--allow-root"],  # CI runs as root
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited:\n{(home / 'jupyterlab.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s")
                time.sleep(0.2)
        yield {"url": url, "token": token, "root": root}
    finally:
        # Its kernels are in its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def write_notebook(path, cells):
    """A notebook of code cells, not yet run."""
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                   "source": source} for source in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))


class Notebook:
    """One notebook open in JupyterLab, in a workspace of its own (else JupyterLab reopens the
    documents an earlier test left open, beside it)."""

    _workspaces = 0

    def __init__(self, page, server, name):
        self.page = page
        Notebook._workspaces += 1
        page.goto(f"{server['url']}/lab/workspaces/test{Notebook._workspaces}/tree/{name}"
                  f"?token={server['token']}&reset")
        self.panel = page.locator(NOTEBOOK)
        self.cells = self.panel.locator(".jp-Cell")
        expect(self.cells.first).to_be_visible(timeout=START_TIMEOUT_S * 1000)
        self.wait_idle()

    def wait_idle(self, timeout=START_TIMEOUT_S * 1000):
        """Until the kernel is connected and idle: the toolbar's indicator alone says idle
        before the kernel is connected, the status bar only after."""
        self.page.wait_for_function(_IDLE_JS, arg=NOTEBOOK, timeout=timeout)

    def command_mode_on(self, index):
        """Select cell `index` in command mode, as a click on its prompt and Escape do."""
        self.cells.nth(index).locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Escape")

    def run(self, index, timeout=START_TIMEOUT_S * 1000):
        """Run cell `index` with Shift+Enter and wait until the kernel has finished it."""
        prompt = self.cells.nth(index).locator(".jp-InputArea-prompt")
        before = prompt.inner_text()
        for _ in range(3):  # a key pressed while JupyterLab is still busy may be lost
            self.command_mode_on(index)
            self.page.keyboard.press("Shift+Enter")
            with contextlib.suppress(AssertionError):
                expect(prompt).not_to_have_text(before, timeout=5000)
                break
        expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=timeout)
        expect(prompt).not_to_have_text(before, timeout=timeout)
        return self.cells.nth(index)

    def report(self, index):
        """Run cell `index`, which prints one `REPORT{json}` line, and return the JSON."""
        cell = self.run(index)
        # The prompt shows the new count as soon as the kernel is done; the output may come after.
        expect(cell.locator(".jp-OutputArea-output", has_text="REPORT")).to_have_count(
            1, timeout=30_000)
        text = cell.inner_text()
        found = re.search(r"REPORT(\{.*\})", text, re.S)
        assert found, f"the report cell shows {text[-1500:]!r}"
        return json.loads(found.group(1))


# The texts a readout cell of the lab in `output` shows, sampled every `every` ms for `ms` ms in
# the page itself (a round trip to the test per sample would miss frames).
_SAMPLE_JS = """async ([output, css, ms, every]) => {
  const find = (node) => {
    for (const el of node.querySelectorAll("*")) {
      if (el.matches(css)) return el
      const inner = el.shadowRoot && find(el.shadowRoot)
      if (inner) return inner
    }
    return null
  }
  const seen = [], start = performance.now()
  while (performance.now() - start < ms) {
    const text = find(output)?.textContent ?? null
    if (!seen.length || seen[seen.length - 1] !== text) seen.push(text)
    await new Promise(resolve => setTimeout(resolve, every))
  }
  return seen
}"""


class NotebookLab:
    """The lab drawn in the `index`-th output of the notebook that holds one."""

    def __init__(self, notebook, index=0):
        self.page = notebook.page
        self.root = notebook.panel.locator(".jp-OutputArea-output").filter(
            has=self.page.locator("td.total-loss")).nth(index)

    def readout(self, key):
        return self.root.locator(f"td.{key}")

    def button(self, name):
        return self.root.get_by_role("button", name=name, exact=True)

    def sample(self, key, seconds, every_ms=20):
        """The successive texts of readout `key` over `seconds`."""
        return self.page.evaluate(_SAMPLE_JS, [self.root.element_handle(), f"td.{key}",
                                               seconds * 1000, every_ms])

    def point_on_screen(self, i):
        """Where point i is drawn, in the page's CSS pixels (the plot scrolled into view)."""
        plot = self.root.locator(PLOT)
        plot.scroll_into_view_if_needed()
        return plot.evaluate("(el, i) => el.losslab.pointOnScreen(i)", i)

    def drag_point(self, i, dx, dy, moves=15, pause_ms=30, watch="total-loss"):
        """Drag point i by (dx, dy) pixels; returns what readout `watch` showed before the
        press and after each move, before the mouse is released."""
        self.point_on_screen(i)  # scrolled into view first, then measured where it came to rest
        self.page.wait_for_timeout(200)
        x, y = self.point_on_screen(i)
        mouse = self.page.mouse
        seen = [self.readout(watch).inner_text()]
        mouse.move(x, y)
        mouse.down()
        # Past Bokeh's move threshold at once: a press held still becomes a long press, and
        # a long press starts no drag.
        mouse.move(x + 8, y + 8)
        for k in range(1, moves + 1):
            mouse.move(x + dx * k / moves, y + dy * k / moves)
            self.page.wait_for_timeout(pause_ms)
            seen.append(self.readout(watch).inner_text())
        mouse.up()
        return seen
