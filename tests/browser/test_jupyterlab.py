"""The lab in a real JupyterLab on this machine, in headless Chromium, as a new user meets it:
the README's cell, run with Shift+Enter, with no internet (every request that would leave the
machine is refused and recorded), two labs in one notebook.

The tests share one JupyterLab and one notebook (starting them is most of the cost) and run in
order: each leaves the labs as the next expects them.
"""

import pytest
from playwright.sync_api import expect

from losslab.views.share import LOSSLAB_ADDRESS
from tests.browser.conftest import LOCAL_HOSTS
from tests.browser.jupyterlab import Notebook, NotebookLab, jupyterlab, write_notebook

pytestmark = pytest.mark.browser

LAB, OTHER, REPORT, EMPTY = range(4)
CELLS = {
    LAB: "from losslab import create_app\nlab = create_app()\nlab",
    OTHER: "other = create_app()\nother",
    REPORT: """import json
from losslab import core
from losslab.views.readouts import format_number
def numbers(lab):
    s = lab.state
    return dict(steps=s.steps, shown=lab.frame.texts["steps"], running=s.running,
                total=format_number(core.evaluate(s.X, s.y, s.W, s.b, **s.objective).total_loss),
                add_class=s.add_class, X=s.X.tolist(), loss=s.loss,
                copied=lab.share.copy_link.copied)
print("REPORT" + json.dumps(dict(lab=numbers(lab), other=numbers(other))))""",
    EMPTY: "",
}


class Requests:
    """Refuses every request that would leave the machine, as a classroom without internet
    would, and records it; records the page's console errors, and what the page sends the
    kernel, too."""

    def __init__(self, context, page):
        self.foreign, self.errors, self.to_kernel = [], [], []
        context.route("**/*", self._route)
        page.on("console", lambda message: message.type == "error"
                and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("websocket", lambda socket: socket.on("framesent", self._sent))

    def _sent(self, payload):
        self.to_kernel.append(payload if isinstance(payload, str)
                              else payload.decode("utf-8", errors="replace"))

    def changes_sent(self, attr):
        """How many of the messages sent to the kernel set `attr`."""
        return sum(f'"attr":"{attr}"' in frame for frame in self.to_kernel)

    def _route(self, route):
        from urllib.parse import urlparse

        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            self.foreign.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()


@pytest.fixture(scope="module")
def notebook(browser):
    with jupyterlab() as server:
        write_notebook(server["root"] / "lab.ipynb", [CELLS[i] for i in sorted(CELLS)])
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = context.new_page()
        requests = Requests(context, page)
        notebook = Notebook(page, server, "lab.ipynb")
        notebook.requests = requests
        notebook.run(LAB)
        notebook.run(OTHER)
        for index in range(2):
            expect(NotebookLab(notebook, index).readout("total-loss")).to_have_text(
                "6.2667", timeout=60_000)
        notebook.address = page.url
        yield notebook
        context.close()


@pytest.fixture(scope="module")
def lab(notebook):
    return NotebookLab(notebook, 0)


@pytest.fixture(scope="module")
def other(notebook):
    return NotebookLab(notebook, 1)


def test_step_shows_the_step_and_cores_loss(notebook, lab):
    lab.button("Step").click()
    expect(lab.readout("steps")).to_have_text("1")
    kernel = notebook.report(REPORT)["lab"]
    assert kernel["steps"] == 1 and kernel["shown"] == "1", "the browser's echo overwrote the step"
    expect(lab.readout("total-loss")).to_have_text(kernel["total"])


def test_run_animates_and_stop_stops_it(notebook, lab):
    notebook.requests.to_kernel.clear()
    lab.button("Run").click()
    seen = lab.sample("steps", seconds=2.0)
    lab.button("Stop").click()
    assert len(seen) - 1 >= 5, f"Steps changed {len(seen) - 1} times in 2 s of Run: {seen}"
    expect(lab.button("Run")).to_be_visible()
    notebook.wait_idle(timeout=10_000)  # Stop leaves the kernel nothing to do
    stopped = lab.readout("steps").inner_text()
    kernel = notebook.report(REPORT)["lab"]
    assert not kernel["running"] and str(kernel["steps"]) == kernel["shown"] == stopped
    expect(lab.readout("total-loss")).to_have_text(kernel["total"])
    # The browser reported its frames and sent back none of the numbers it was sent.
    requests = notebook.requests
    assert requests.changes_sent("drawn") >= 5
    assert requests.changes_sent("texts") == requests.changes_sent("parameters") == 0
    assert not [frame for frame in requests.to_kernel if "ColumnDataChanged" in frame]


def test_a_widget_of_the_state_and_copy_link_act_as_served(notebook, lab):
    lab.root.get_by_role("button", name="Softmax").click()
    notebook.wait_idle(timeout=10_000)
    kernel = notebook.report(REPORT)["lab"]
    assert kernel["loss"] == "softmax"
    expect(lab.readout("total-loss")).to_have_text(kernel["total"])
    lab.root.locator(".bk-tab", has_text="Data").click()
    lab.root.locator("button.copy-link").click()
    kernel = notebook.report(REPORT)["lab"]
    assert kernel["copied"].startswith(f"{LOSSLAB_ADDRESS}?version=1&"), kernel["copied"]


def test_a_dragged_point_moves_the_loss_during_the_drag(notebook, lab):
    # The first click into a cell's output makes JupyterLab busy activating the cell: a press
    # then held up would become a long press and drag nothing.
    lab.readout("total-loss").click()
    before = notebook.report(REPORT)["lab"]
    seen = lab.drag_point(0, 60, 40)
    assert any(text != seen[0] for text in seen[1:]), f"no new loss before the release: {seen}"
    expect(lab.readout("total-loss")).not_to_have_text(seen[0])
    notebook.wait_idle(timeout=10_000)
    after = notebook.report(REPORT)["lab"]
    assert after["X"][0] != before["X"][0] and after["X"][1:] == before["X"][1:]
    expect(lab.readout("total-loss")).to_have_text(after["total"])


def test_every_tab_opens_with_what_is_installed(notebook, lab):
    for name in ("Optimizer", "Landscape", "Compare", "Loss", "Data", "Points"):
        lab.root.locator(".bk-tab", has_text=name).click()
        expect(lab.root.locator(".bk-tab.bk-active")).to_have_text(name)
    lab.root.locator(".bk-tab", has_text="Loss").click()
    expect(lab.root.locator(".katex").first).to_be_visible(timeout=20_000)
    assert notebook.requests.foreign == []


def test_keys_act_on_the_lab_only_while_it_has_the_focus(notebook, lab, other):
    cells = notebook.cells
    count = cells.count()
    notebook.command_mode_on(EMPTY)
    notebook.page.keyboard.press("a")  # JupyterLab: insert a cell above
    expect(cells).to_have_count(count + 1)
    report = notebook.report(REPORT)
    assert report["lab"]["add_class"] is None and report["other"]["add_class"] is None, \
        "a lab acted on a key pressed in the notebook"

    lab.readout("steps").click()  # the lab has the focus now
    notebook.page.keyboard.press("a")  # the lab: a click adds points of class 0
    report = notebook.report(REPORT)
    assert report["lab"]["add_class"] == 0 and report["other"]["add_class"] is None
    expect(cells).to_have_count(count + 1)


FONT_PX_JS = "(el) => parseFloat(getComputedStyle(el).fontSize)"


def test_the_labs_are_independent_and_leave_the_address_alone(notebook, lab, other):
    report = notebook.report(REPORT)
    assert report["lab"]["steps"] > 1 and report["other"]["steps"] == 0
    expect(other.readout("steps")).to_have_text("0")
    expect(other.readout("total-loss")).to_have_text("6.2667")
    # Presentation mode scales its own lab only, not the other, nor the notebook's page.
    page_px = notebook.page.evaluate(f"() => ({FONT_PX_JS})(document.body)")
    other_px = other.readout("steps").evaluate(FONT_PX_JS)
    lab.button("Presentation").click()
    notebook.page.wait_for_function(f"([el, px]) => ({FONT_PX_JS})(el) >= 1.2 * px",
                                    arg=[lab.readout("steps").element_handle(), other_px])
    assert other.readout("steps").evaluate(FONT_PX_JS) == other_px
    assert notebook.page.evaluate(f"() => ({FONT_PX_JS})(document.body)") == page_px
    assert notebook.page.url == notebook.address
    assert notebook.requests.foreign == [], "requests left the machine"
    assert notebook.requests.errors == [], "browser console errors"
