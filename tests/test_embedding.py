"""The lab as a component, in-process: `create_app`'s settings, its page in a notebook output
(updates over the output's comm, one message each, the browser's echo ignored), its title
when served, and the module `panel serve` runs."""

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from bokeh.document import Document
from panel.io.state import set_curdoc

from losslab import core
from losslab.page import SETTINGS, LabPage, create_app, lab_state
from losslab.server.options import DEFAULT_PORT
from losslab.session.share_codec import SHARED
from losslab.views.share import LOSSLAB_ADDRESS
from tests.browser.conftest import free_port


# -- settings ---------------------------------------------------------------------------------------


def test_settings_open_a_prepared_lab():
    page = create_app(preset="outlier", loss="softmax", optimizer="adam", presentation=True,
                      step_size=0.05, batch_size=4)
    state = page.state
    X, y = core.preset("outlier", seed=state.seed)
    np.testing.assert_array_equal(state.X, X)
    np.testing.assert_array_equal(state.y, y)
    assert (state.loss, state.optimizer, state.presentation, state.step_size, state.batch_size) \
        == ("softmax", "adam", True, 0.05, 4)
    assert page.data.preset.value == "outlier", "the Data tab names the data shown"
    page.training.step()
    assert state.steps == 1 and page.frame.texts["steps"] == "1"


def test_settings_take_pythons_own_values():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    state = lab_state(W=W, b=np.zeros(3), reg_strength=np.float64(0.5), seed=np.int64(3))
    np.testing.assert_array_equal(state.W, W)
    assert state.reg_strength == 0.5 and state.seed == 3


def test_an_unknown_setting_is_named_with_the_valid_ones():
    with pytest.raises(TypeError) as refused:
        create_app(los="softmax")
    message = str(refused.value)
    assert "'los'" in message and all(name in message for name in ("preset", "loss", "optimizer"))
    with pytest.raises(TypeError, match="'running'"):
        create_app(running=True)  # the lab's own doing, not a setting
    assert set(SETTINGS) == {"preset", *SHARED}


@pytest.mark.parametrize("settings, says", [
    (dict(step_size=100), "'step_size' must be at least 0.0001 and at most 10.0"),
    (dict(loss="hinge"), "'loss' must be one of 'weston_watkins'"),
    (dict(presentation="yes"), "'presentation' must be true or false"),
    (dict(batch_size=0), "'batch_size' must be at least 1"),
    (dict(W=[[1, 2]]), "'W' must have 3 rows"),
    (dict(preset="moons"), "'preset' must be one of 'default'"),
    (dict(preset="outlier", X=[[0, 0]], y=[0]), "either as a preset or as X and y"),
])
def test_a_bad_setting_is_refused_with_the_reason(settings, says):
    with pytest.raises(ValueError) as refused:
        create_app(**settings)
    assert says in str(refused.value)


# -- in a notebook output -----------------------------------------------------------------------------


class Comm:
    """A notebook output's comm as Panel uses it, open, keeping what is sent over it."""

    id = "comm-under-test"

    def __init__(self):
        self._comm = object()  # a browser has opened it
        self.sent = []

    def send(self, data=None, metadata=None, buffers=()):
        self.sent.append(data)

    def patches(self):
        """The PATCH-DOC messages sent, as their content's events."""
        messages = [json.loads(text) for text in self.sent if text is not None]
        headers = [m for m in messages if m.get("msgtype") == "PATCH-DOC"]
        contents = [m for m in messages if "events" in m]
        assert len(headers) == len(contents)
        return [content["events"] for content in contents]


@pytest.fixture
def shown():
    """A lab drawn in a notebook output: its document held for good, as Panel keeps it."""
    from panel.io.model import add_to_doc

    doc, comm = Document(), Comm()
    page = LabPage()
    root = page.layout.get_root(doc, comm)
    add_to_doc(root, doc, True)
    comm.sent.clear()
    yield page, doc, comm
    page.release()


def changed(events, attr):
    """The values a patch's events set `attr` to (Bokeh sends a dict as a map of entries)."""
    plain = lambda value: dict(value["entries"]) if isinstance(value, dict) and value.get(  # noqa: E731
        "type") == "map" else value
    return [plain(event["new"]) for event in events if event.get("attr") == attr]


def test_a_step_goes_to_the_browser_as_one_message_with_its_step_count(shown):
    page, doc, comm = shown
    with set_curdoc(doc):
        page.settings.step_button.clicks += 1
    (events,) = comm.patches()  # one message, the whole update
    (texts,) = changed(events, "texts")
    assert texts["steps"] == "1" and texts["total-loss"] == page.frame.texts["total-loss"]
    assert changed(events, "parameters") == [page.frame.parameters]


def test_the_browsers_echo_of_an_update_changes_nothing(shown):
    page, doc, comm = shown
    before = dict(page.frame.texts)
    with set_curdoc(doc):
        page.settings.step_button.clicks += 1
    after = dict(page.frame.texts)
    # What the browser would send back: the texts it was sent first, a step behind.
    page.frame.set_from_json("texts", before, setter=comm.id)
    page.frame.sent = 3
    page.frame.set_from_json("sent", 0, setter=comm.id)
    assert page.frame.texts == after and page.frame.sent == 3
    page.frame.set_from_json("drawn", 7, setter=comm.id)  # a report: taken
    assert page.frame.drawn == 7


def test_a_change_made_from_a_cell_is_sent_when_the_kernel_is_free(shown):
    page, doc, comm = shown

    async def cell():  # on an event loop of its own, as a kernel runs a cell
        page.state.loss = "softmax"  # a cell's own change: no callback wraps it
        await asyncio.sleep(0.05)  # the cell ends: the loop runs what is due now, first

    # A thread of its own: a loop may already be running in this one (Playwright's).
    kernel = threading.Thread(target=asyncio.run, args=(cell(),))
    kernel.start()
    kernel.join()
    texts = [t for events in comm.patches() for t in changed(events, "texts")]
    assert texts, "nothing was sent"


def test_the_lab_in_a_notebook_never_writes_the_address_and_links_to_losslab(shown):
    page, doc, comm = shown
    with set_curdoc(doc):
        page.state.step_size = 0.02
    assert page.share.address.query == ""
    assert page.share.copy_link.base == LOSSLAB_ADDRESS == f"http://localhost:{DEFAULT_PORT}/"
    assert "step_size=0.02" in page.share.copy_link.query


# -- served ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given, title", [(None, "LossLab"), ("Panel Application", "LossLab"),
                                          ("My lecture", "My lecture")])
def test_a_served_lab_is_titled_losslab_unless_given_a_title(given, title):
    doc = Document()
    with set_curdoc(doc):
        LabPage().layout.server_doc(doc, title=given)
    assert doc.title == title


def test_a_served_lab_is_built_without_a_warning(caplog):
    # A warning per page would fill a classroom server's log (and a pipe nobody reads).
    doc = Document()
    with caplog.at_level(logging.WARNING), set_curdoc(doc):
        LabPage().layout.server_doc(doc)
    assert [record.getMessage() for record in caplog.records] == []


def test_the_module_for_panel_serve_says_where_it_is():
    result = subprocess.run([sys.executable, "-m", "losslab.served"], capture_output=True,
                            text=True, check=True)
    path = result.stdout.strip()
    assert path.endswith("served.py") and "create_session_app().servable()" in open(path).read()


def serve_and_fetch(command):
    """Start a server with `command` (formatted with a free `port`), return the lab page it
    serves at / (following redirects); the server is stopped afterwards."""
    port = free_port()
    process = subprocess.Popen([part.format(port=port) for part in command],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=15) as response:
                    return response.read().decode()
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_panel_serve_of_the_packages_module_serves_the_lab_titled_losslab():
    path = subprocess.run([sys.executable, "-m", "losslab.served"], capture_output=True,
                          text=True, check=True).stdout.strip()
    panel = str(Path(sys.executable).with_name("panel"))
    page = serve_and_fetch([panel, "serve", path, "--port", "{port}", "--address", "127.0.0.1"])
    assert "<title>LossLab</title>" in page and "static/js/bokeh.min.js" in page


def test_pn_serve_of_create_app_serves_the_lab_titled_losslab():
    code = ("import panel as pn; from losslab import create_app; "
            "pn.serve(create_app, port={port}, address='127.0.0.1', show=False, "
            "websocket_origin=['127.0.0.1:{port}'])")
    page = serve_and_fetch([sys.executable, "-c", code])
    assert "<title>LossLab</title>" in page
