"""What the lab guarantees when things go wrong, as a person meets it in the browser: odd and
over-long addresses, values past the lab's limits, a file far too large, a server that dies and
comes back, a long computation in another tab, a session id picked by hand."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from losslab.session.share_codec import SAFE_QUERY_CHARS, from_query
from tests.browser.conftest import Watched, free_port
from tests.browser.lab import Lab

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"-?\d+\.\d{4}(e[-+]\d+)?")


def message(lab):
    """The lab's message (the alert under the readouts)."""
    return lab.page.locator(".alert").filter(has_text=re.compile(r"\w"))


def query_of(lab):
    return urllib.parse.urlparse(lab.page.url).query


# -- 1. addresses the server once failed on --------------------------------------------------------

@pytest.mark.parametrize("query, refused", [
    ("??", "Unknown key '?'"), ("?loss=softmax&note=why?", "Unknown key 'note'"),
    ("?seed=" + "1" * 4301, "'seed' must be a whole number"), ("?W=[1,2]", "'W'"),
    ("?loss={'a':1}", "'loss' must be one of"),
])
def test_every_address_gets_the_page_with_a_message_naming_what_it_refused(open_lab, server,
                                                                          query, refused):
    lab = open_lab(server + query)
    expect(message(lab)).to_contain_text("This link could not be opened")
    expect(message(lab)).to_contain_text(refused)
    assert NUMBER.fullmatch(lab.readout_text("Total loss"))


def test_a_good_address_still_opens_without_a_message(open_lab, server):
    lab = open_lab(server + "?loss=softmax&reg_strength=0.5")
    expect(lab.page.locator("td.reg-loss")).to_have_text("17.5000")
    expect(message(lab)).to_have_count(0)


# -- 2. links the lab writes, and links too long -----------------------------------------------------

def load_points(lab, n, folder):
    rng = np.random.default_rng(1)
    path = Path(folder) / f"points-{n}.json"
    path.write_text(json.dumps({"version": 1, "X": rng.uniform(-1.5, 1.5, (n, 2)).tolist(),
                                "y": rng.integers(0, 3, n).tolist()}))
    lab.open_tab("Data")
    lab.open_file(path)
    expect(lab.page.locator("td.accuracy")).to_contain_text(f"/{n})", timeout=60_000)


def test_the_lab_never_writes_a_link_it_cannot_open(open_lab, tmp_path):
    lab = open_lab()
    load_points(lab, 1200, tmp_path)
    expect(lab.page.locator(".link-note")).to_contain_text("too many points for a link",
                                                            timeout=10_000)
    lab.page.wait_for_function("() => location.search.includes('data=file')", timeout=10_000)
    assert len(query_of(lab)) <= SAFE_QUERY_CHARS
    total = lab.readout_text("Total loss")
    other = open_lab(lab.page.url)
    expect(message(other)).to_contain_text("settings and W, b only")
    assert other.readout_text("Steps") == "0" and other.readout_text("Total loss") != total


def test_an_over_long_address_gets_a_readable_answer(browser, server):
    watched = Watched(browser.new_context())
    try:
        response = watched.page.goto(server + "?X=" + "1" * 1_000_000)
        assert response.status == 414
        expect(watched.page.get_by_text("LossLab could not open this address")).to_be_visible()
        watched.page.get_by_role("link", name="Open the lab").click()
        Lab(watched.page).wait_ready()
    finally:
        watched.context.close()


# -- 3. values past the lab's limits ------------------------------------------------------------------

def test_a_typed_value_past_the_limit_is_refused_and_the_address_still_opens(open_lab):
    lab = open_lab()
    total = lab.readout_text("Total loss")
    for label, typed, shown in (("W[0,0] value", "1e300", "1.000"), ("b[1] value", "1e7", "0.500"),
                                ("W[2,1] value", "1e400", "-1.000")):
        box = lab.page.get_by_label(label, exact=True)
        box.fill(typed)
        box.press("Enter")
        name = label.removesuffix(" value")
        expect(message(lab)).to_contain_text(f"{name} must be a number between −1,000,000 and "
                                             "1,000,000")
        expect(box).to_have_value(shown)
    assert lab.readout_text("Total loss") == total
    for readout in ("Data loss", "Regularization loss", "Total loss"):
        assert NUMBER.fullmatch(lab.readout_text(readout)), lab.readout_text(readout)
    # (λ typed past its range: tests/browser/test_controls.py)
    box = lab.page.get_by_label("W[0,0] value", exact=True)
    box.fill("1e6")  # the limit itself is a value the lab holds, and shares
    box.press("Enter")
    lab.wait_for_change("Total loss", total)
    lab.page.wait_for_function("() => location.search.includes('W=1000000,')", timeout=10_000)
    other = open_lab(lab.page.url)
    expect(other.page.locator("td.total-loss")).to_have_text(lab.readout_text("Total loss"))
    expect(message(other)).to_have_count(0)


def test_a_zoom_past_the_limit_stops_at_it_and_the_address_still_opens(open_lab):
    lab = open_lab()
    # What a wheel zoom far out reports: the plot's new view box.
    lab.page.evaluate("""() => {
      const scene = [...Bokeh.documents[0].all_models].find(m => m.properties.moved && m.properties.view)
      scene.view = [-2e6, 2e6, -2e6, 2e6]
    }""")
    expect(message(lab)).to_contain_text("The view reaches at most ±1,000,000")
    lab.page.wait_for_function("""() => {
      const scene = [...Bokeh.documents[0].all_models].find(m => m.properties.moved && m.properties.view)
      return scene.box[1] == 1e6 && scene.box[2] == -1e6
    }""", timeout=10_000)
    lab.page.wait_for_function("() => location.search.includes('box=-1000000,1000000,')",
                               timeout=10_000)
    other = open_lab(lab.page.url)
    expect(message(other)).to_have_count(0)


# -- 4. a file far too large --------------------------------------------------------------------------

def test_an_oversized_file_is_refused_at_once_and_the_session_lives(open_lab, tmp_path):
    lab = open_lab()
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    lab.open_tab("Data")
    started = time.monotonic()
    lab.open_file(big)
    expect(lab.page.get_by_text("big.json (52,428,800 bytes) is larger than 1,000,000 bytes")
           ).to_be_visible(timeout=2_000)
    assert time.monotonic() - started < 2.0
    lab.click("Step")
    expect(lab.page.locator("td.steps")).to_have_text("1")


# -- 5. a server that dies and comes back -------------------------------------------------------------

def start_own_server(port):
    return subprocess.Popen([str(Path(sys.executable).with_name("losslab")), "--port", str(port),
                             "--no-show"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_serving(url, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url + "favicon.ico", timeout=15):
                return
        except OSError:
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)


def test_a_lost_server_is_announced_within_two_seconds_and_the_lab_comes_back(browser):
    port = free_port()
    url = f"http://localhost:{port}/"
    process = start_own_server(port)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        wait_serving(url)
        page.goto(url + "?loss=softmax")
        lab = Lab(page)
        lab.wait_ready()
        lab.click("Run")
        written = set()
        deadline = time.monotonic() + 30
        while len(written) < 2:  # the address follows the run
            assert time.monotonic() < deadline, "the address was not written during the run"
            page.wait_for_timeout(300)
            if "W=" in page.url:
                written.add(page.url)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed = time.monotonic()
        notice = page.locator(".losslab-connection-lost")
        expect(notice).to_contain_text("connection to the LossLab server is lost", timeout=2_000)
        assert time.monotonic() - killed <= 2.0
        assert page.evaluate("""() => [...document.body.children]
            .filter(e => !e.classList.contains('losslab-connection-lost')).every(e => e.inert)""")
        expect(lab.button("Stop")).to_be_visible()  # nothing under the notice takes input
        held = page.url
        process = start_own_server(port)
        wait_serving(url)
        expect(notice).to_have_count(0, timeout=20_000)
        lab.wait_ready()
        expect(lab.button("Run")).to_be_visible()
        # The lab reopened as its address held it: the softmax lab with the W of the run.
        opened = from_query(urllib.parse.urlparse(held).query)
        assert opened["loss"] == "softmax"
        page.wait_for_timeout(1_000)  # the reopened lab writes its own address again
        assert from_query(urllib.parse.urlparse(page.url).query)["W"].tobytes() == \
            opened["W"].tobytes()
    finally:
        page.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


# -- 7. long work in another tab -------------------------------------------------------------------

def test_a_long_compare_in_one_tab_leaves_another_tabs_run_going_and_can_be_cancelled(open_lab):
    runner, comparer = open_lab(), open_lab()
    comparer.open_tab("Compare")
    comparer.page.get_by_role("checkbox", name="RMSProp").check()  # with SGD, Momentum, Adam
    steps = comparer.page.get_by_label("Steps", exact=True)
    steps.fill("5000")
    steps.press("Enter")
    runner.click("Run")
    comparer.click("Compare")
    progress = comparer.page.locator("progress.compare-progress")
    expect(comparer.page.locator(".compare-status")).to_contain_text("Comparing 4 optimizers",
                                                                     timeout=2_000)
    expect(comparer.button("Cancel")).to_be_enabled()
    expect(progress).not_to_have_attribute("value", "0", timeout=5_000)  # it moves
    # The other lab's Run goes on meanwhile (how fast, against its rate alone, is
    # benchmarks/long_work.py's to measure).
    before = runner.readout("Steps")
    expect(runner.page.locator("td.steps")).not_to_have_text(f"{before:.0f}", timeout=10_000)
    comparer.click("Cancel")
    expect(comparer.page.locator(".compare-status")).to_contain_text("Cancelled", timeout=2_000)
    expect(comparer.button("Compare")).to_be_enabled()
    expect(progress).to_have_attribute("value", "0")
    steps.fill("300")
    steps.press("Enter")
    comparer.click("Compare")
    expect(comparer.page.locator(".compare-status")).to_contain_text(
        "Total loss after 300 steps: SGD", timeout=60_000)
    runner.click("Stop")


def test_a_large_landscape_in_one_tab_leaves_another_tabs_run_going(open_lab, tmp_path):
    runner, explorer = open_lab(), open_lab()
    load_points(explorer, 2000, tmp_path)
    explorer.open_tab("Landscape")
    image_cells = """() => {
      for (const m of Bokeh.documents[0].all_models)
        if (m.type == "ColumnDataSource" && m.data.image && m.data.image[0])
          return m.data.image[0].length ?? m.data.image[0].array?.length ?? 0
      return 0
    }"""
    explorer.page.wait_for_function(f"() => ({image_cells})() > 100", timeout=30_000)
    corner = """() => {
      for (const m of Bokeh.documents[0].all_models)
        if (m.type == "ColumnDataSource" && m.data.image && m.data.image[0])
          return m.data.image[0][0] ?? m.data.image[0].array?.[0]
      return null
    }"""
    first_map = explorer.page.evaluate(corner)
    runner.click("Run")
    # Every Step of the 2000-point lab asks for a new loss map (22 × 22 cells × 2000 points),
    # computed in a job process: the other lab's Run goes on meanwhile (how fast, against its
    # rate alone, is benchmarks/long_work.py's to measure), and the map follows the steps.
    before = runner.readout("Steps")
    for _ in range(10):
        explorer.page.keyboard.press("s")
        explorer.page.wait_for_timeout(200)
    expect(explorer.page.locator("td.steps")).to_have_text("10", timeout=30_000)
    expect(runner.page.locator("td.steps")).not_to_have_text(f"{before:.0f}")
    explorer.page.wait_for_function(f"(first) => ({corner})() != first", arg=first_map,
                                    timeout=30_000)
    runner.click("Stop")


# -- 8. session ids ----------------------------------------------------------------------------------

def test_two_tabs_given_the_same_session_id_do_not_share_a_lab(open_lab, server):
    first = open_lab(server + "?loss=softmax&bokeh-session-id=forged")
    second = open_lab(server + "?bokeh-session-id=forged")
    assert "bokeh-session-id" not in first.page.url and "loss=softmax" in first.page.url
    first.click("Step")
    expect(first.page.locator("td.steps")).to_have_text("1")
    second.page.wait_for_timeout(1_000)
    expect(second.page.locator("td.steps")).to_have_text("0")
