"""Sessions on the server: released when their tabs close, and usable however late they connect.

The servers here are started for these tests with the read-only diagnostics route on
(`LOSSLAB_DIAGNOSTICS=1`) and a short session timeout, so that closed sessions are released within
seconds; the route tells how many sessions, timers and LabState objects the
server process still holds.
"""

import json
import re
import time
import urllib.request

import pytest

from losslab import core

from tests.browser.conftest import Watched
from tests.browser.lab import Lab
from tests.test_serve import Served

pytestmark = pytest.mark.browser

TABS = 20
RELEASE_WITHIN_S = 30


@pytest.fixture
def start_watched_server():
    started = []

    def start(session_timeout_s):
        served = Served("--session-timeout", str(session_timeout_s), diagnostics=True)
        started.append(served)
        return served.wait_ready()

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def watched_server(start_watched_server):
    return start_watched_server(2)


def diagnostics(served):
    with urllib.request.urlopen(served.url + "diagnostics", timeout=30) as response:
        return json.loads(response.read())


def wait_for_diagnostics(served, done, timeout):
    deadline = time.monotonic() + timeout
    seen = diagnostics(served)
    while not done(seen) and time.monotonic() < deadline:
        time.sleep(0.5)
        seen = diagnostics(served)
    return seen


def test_closed_tabs_leave_no_session_timer_or_state_behind(browser, watched_server):
    opened = []
    try:
        # Load every tab first (while nothing runs, so loading is quick), then run them all.
        for _ in range(TABS):
            watched = Watched(browser.new_context(viewport={"width": 1400, "height": 900}))
            opened.append(watched)
            watched.page.goto(watched_server.url, wait_until="commit")
        labs = [Lab(watched.page) for watched in opened]
        for lab in labs:
            lab.wait_ready()
        for lab in labs:
            lab.click("Run")
        for lab in labs:
            lab.wait_for_change("Steps", "0", timeout=30_000)

        running = diagnostics(watched_server)
        assert running["sessions"] >= TABS
        assert running["connections"] >= TABS
        assert running["lab_states"] >= TABS
        # Each running lab has its next step waiting: the count does see the timers it must see gone.
        assert running["session_timers"] >= TABS
        for lab in labs:
            assert lab.button("Stop").is_visible()
    finally:
        for watched in opened:
            watched.context.close()

    for watched in opened:
        assert watched.errors == [], f"browser console errors: {watched.errors}"
        assert watched.foreign_requests == [], f"requests left the machine: {watched.foreign_requests}"

    left = wait_for_diagnostics(
        watched_server,
        lambda d: d["sessions"] == d["session_timers"] == d["server_timers"] == d["lab_states"] == 0,
        RELEASE_WITHIN_S)
    assert left["sessions"] == 0, f"sessions still held {RELEASE_WITHIN_S} s after closing: {left}"
    assert left["connections"] == 0, left
    assert left["session_timers"] == 0, f"timers still waiting: {left}"
    assert left["server_timers"] == 0, f"timers left running on the server: {left}"
    assert left["lab_states"] == 0, f"LabState objects never released: {left}"


def test_a_page_that_connects_after_its_session_timed_out_still_works_offline(
        browser, start_watched_server):
    served = start_watched_server(1)
    watched = Watched(browser.new_context(viewport={"width": 1400, "height": 900}))
    try:
        # Hold the page's script back until the session made for the page has timed out: the
        # page's websocket then opens a new session, as it does when another process of
        # --num-procs served the page.
        def late(route):
            time.sleep(3)
            route.continue_()

        watched.page.route(re.compile(r".*/static/js/bokeh\.min\.js.*"), late)
        watched.page.goto(served.url + "?loss=softmax")
        lab = Lab(watched.page)
        lab.wait_ready()
        # The new session opens the lab the page's address holds (kept in the session's token).
        ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B,
                           loss="softmax")
        assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)
        before = lab.readout_text("Total loss")
        lab.click("Step")
        lab.wait_for_change("Total loss", before)
        assert lab.readout("Steps") == 1
        assert diagnostics(served)["connections"] == 1
    finally:
        watched.context.close()
    assert watched.foreign_requests == [], f"requests left the machine: {watched.foreign_requests}"
    assert watched.errors == [], f"browser console errors: {watched.errors}"
