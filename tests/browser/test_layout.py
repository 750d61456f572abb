"""The page's layout in headless Chromium, measured: from a projector's 1280 × 720 to a 4K screen,
a tablet and a phone, in normal and in presentation mode. What it measures in the page is
page_measure.js (the scroll width, where the main view's parts are, the font size of every
visible text, shadow roots included)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from losslab import core

pytestmark = pytest.mark.browser

MEASURE = (Path(__file__).parent / "page_measure.js").read_text()

DESKTOPS = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
TABLET = dict(viewport=(820, 1180), has_touch=True, is_mobile=True, device_scale_factor=2)
PHONE = dict(viewport=(390, 844), has_touch=True, is_mobile=True, device_scale_factor=3)

SMALLEST = {False: 12, True: 16}
"""No text is smaller than this, in normal and in presentation mode."""


def measure(lab):
    return lab.page.evaluate(MEASURE)


def open_at(open_lab, server, presentation, **context):
    """The lab opened with presentation mode in its address or not, once its layout has settled
    (the plot has its final square)."""
    lab = open_lab(url=f"{server}?presentation=true" if presentation else server, **context)
    lab.wait_for_plot(f"(p) => p.presentation() === {'true' if presentation else 'false'}")
    settle(lab)
    return lab


def settle(lab):
    """Wait until the plot's square stops changing (the layout measures its legend and toolbar
    after the first render)."""
    lab.page.wait_for_function("""(el) => new Promise((done) => {
        const size = () => el.losslab.sizes().size
        const first = size()
        setTimeout(() => requestAnimationFrame(() => done(size() === first && first > 0)), 300)
    })""", arg=lab.plot.element_handle(), polling=100, timeout=20_000)


def inside(rect, width, height, slack=0.5):
    return (rect is not None and rect["left"] >= -slack and rect["top"] >= -slack
            and rect["right"] <= width + slack and rect["bottom"] <= height + slack)


def assert_apart(cells):
    """No two of the page's grid cells overlap (a cell shorter than its content would)."""
    names = [name for name, rect in cells.items() if rect is not None and rect["height"] > 0]
    assert len(names) == len(cells), f"cells missing or empty: {cells}"
    for k, a in enumerate(names):
        for b in names[k + 1:]:
            ra, rb = cells[a], cells[b]
            overlap = min(ra["right"], rb["right"]) - max(ra["left"], rb["left"]) > 1 and \
                min(ra["bottom"], rb["bottom"]) - max(ra["top"], rb["top"]) > 1
            assert not overlap, f"{a} {ra} overlaps {b} {rb}"


def body_size(texts):
    """The font size most of the page's characters are set in."""
    weight = {}
    for text in texts:
        weight[text["px"]] = weight.get(text["px"], 0) + len(text["text"])
    return max(weight, key=weight.get)


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("viewport", DESKTOPS, ids=[f"{w}x{h}" for w, h in DESKTOPS])
def test_the_page_fills_the_window_with_the_main_view_on_one_screen(open_lab, server, artifacts,
                                                                   viewport, presentation):
    lab = open_at(open_lab, server, presentation, viewport=viewport)
    m = measure(lab)
    width, height = viewport
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= width, "the page scrolls sideways"
    assert_apart(m["cells"])
    for part, rect in m["main"].items():
        assert inside(rect, width, height), f"{part} is not on the first screen: {rect}"
    smallest = m["texts"][0]
    assert smallest["px"] >= SMALLEST[presentation], f"too small: {smallest}"
    drawn = lab.plot_js("(p) => p.sizes()")  # the plot's own text, on its canvas
    assert min(drawn["tick"], drawn["label"]) >= smallest["px"] - 0.5
    # The plot is the largest square the window allows beside the controls: as tall as the
    # window less its toolbar and legend, unless the controls need the width.
    plot = m["plot"]
    assert plot["width"] == pytest.approx(plot["height"], abs=1)
    assert plot["height"] >= 0.7 * height
    if presentation:
        body = body_size(m["texts"])
        assert body >= {1280: 16, 1366: 16, 1920: 20, 3840: 40}[width]
    mode = "presentation" if presentation else "normal"
    lab.page.screenshot(path=artifacts / f"page-{width}x{height}-{mode}.png")


def test_presentation_text_sizes_survive_selection_and_redraws(open_lab, server):
    lab = open_at(open_lab, server, True, viewport=(1920, 1080))
    before = measure(lab)
    assert before["texts"][0]["px"] >= 20  # small text too reads from the back of the room
    sizes = lab.plot_js("(p) => p.sizes()")
    assert min(sizes["tick"], sizes["label"]) >= 20 and sizes["axis"] > 20
    x, y = lab.point_on_screen(3)
    lab.page.mouse.click(x, y)
    lab.wait_for_plot("(p) => p.selected() === 3")
    lab.click("Step")
    expect(lab.page.locator("td.steps")).to_have_text("1")
    lab.table_settled()
    after = measure(lab)
    # Every text shown before keeps its size; what selecting adds (the worked loss) is as large.
    sizes_before = {(t["where"], t["text"]): t["px"] for t in before["texts"]}
    for text in after["texts"]:
        key = (text["where"], text["text"])
        assert sizes_before.get(key, text["px"]) == text["px"], text
    assert after["texts"][0]["px"] >= SMALLEST[True], after["texts"][:3]
    assert body_size(after["texts"]) == body_size(before["texts"])
    assert lab.plot_js("(p) => p.sizes()") == sizes
    assert "presentation=true" in lab.page.url
    lab.page.keyboard.press("p")  # and off again, by the key: the address follows
    lab.wait_for_plot("(p) => !p.presentation()")
    expect(lab.page).not_to_have_url(re.compile("presentation=true"))
    assert measure(lab)["texts"][0]["px"] < before["texts"][0]["px"]


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_tablet_and_a_phone_get_one_column_at_their_own_width(open_lab, server, artifacts,
                                                               device, presentation):
    lab = open_at(open_lab, server, presentation, **device)
    m = measure(lab)
    width = device["viewport"][0]
    # The mobile viewport: the page is laid out at the device's width, not a desktop's zoomed out.
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= width
    assert_apart(m["cells"])
    assert m["texts"][0]["px"] >= SMALLEST[presentation]
    main = m["main"]
    # Stacked, the plot first and as wide as the screen allows; everything within the width.
    assert main["plot"]["width"] >= 0.9 * width - 20
    order = [main[k]["top"] for k in ("plot", "Step", "Data loss", "parameters")]
    assert order == sorted(order), f"not plot, settings, readouts, W and b: {order}"
    for part, rect in main.items():
        assert rect["left"] >= 0 and rect["right"] <= width + 0.5, part
    name = "tablet" if device is TABLET else "phone"
    lab.page.screenshot(path=artifacts / f"page-{name}-{'presentation' if presentation else 'normal'}.png",
                        full_page=True)


def test_the_table_shows_every_row_up_to_its_number_and_the_worked_loss_beside_it(open_lab, server):
    lab = open_at(open_lab, server, False, viewport=(1920, 1080))
    rows = lab.page.locator(".points-table tr.row")
    scroller = lab.page.locator(".points-scroll").bounding_box()

    def rows_in_view():
        count = 0
        for k in range(rows.count()):
            box = rows.nth(k).bounding_box()
            if box and box["y"] >= scroller["y"] - 0.5 and box["y"] + box["height"] <= scroller["y"] + scroller["height"] + 0.5:
                count += 1
        return count

    assert rows_in_view() == len(core.DEFAULT_POINTS)  # all nine, no scroll bar
    lab.table_row_element(4).click()  # its loss, worked out under the table
    math = lab.page.locator(".katex").first
    expect(math).to_be_in_viewport()
    assert math.bounding_box()["y"] + math.bounding_box()["height"] <= 1080

    lab.open_tab("Data")
    lab.page.get_by_label("Data set").select_option(label="Overlapping classes")
    lab.click("Load")
    lab.open_tab("Points")
    expect(rows.nth(12)).to_be_attached()  # more rows than the table shows at least
    lab.table_settled()
    scroller = lab.page.locator(".points-scroll").bounding_box()
    assert rows_in_view() >= 12


def test_the_shortcut_list_covers_a_corner_without_moving_the_page(open_lab):
    lab = open_lab(viewport=(1280, 720))
    before = lab.plot.bounding_box()
    lab.page.get_by_role("button", name="⌨ Shortcuts").click()
    shortcuts = lab.page.locator("table.shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_be_in_viewport()
    assert lab.plot.bounding_box() == before
    lab.page.get_by_role("button", name="⌨ Shortcuts").click()
    expect(shortcuts).to_be_hidden()


def test_keys_work_again_after_enter_or_escape_in_a_number_box(open_lab):
    lab = open_lab(viewport=(1280, 720))
    strength = lab.page.get_by_label("Regularization λ value")
    strength.fill("0.2")
    strength.press("Enter")
    expect(lab.page.locator("td.reg-loss")).to_have_text("7.0000")  # λ R(W) = 0.2 × 35
    lab.page.keyboard.press("s")  # no click elsewhere first
    expect(lab.page.locator("td.steps")).to_have_text("1")
    strength.fill("7")
    strength.press("Escape")  # gives up the typing
    lab.page.keyboard.press("s")
    expect(lab.page.locator("td.steps")).to_have_text("2")
    assert lab.readout("Regularization loss") < 50  # still λ = 0.2: with 7 it would be 245
    # While typing, the keys are the box's.
    strength.fill("")
    lab.page.keyboard.type("0.3s")
    assert lab.readout("Steps") == 2


def test_the_pull_checkbox_is_named_by_its_text_which_toggles_it(open_lab):
    lab = open_lab(viewport=(1280, 720))
    box = lab.page.get_by_role("checkbox", name="Show each point's pull on the classifiers")
    expect(box).not_to_be_checked()
    text = lab.page.get_by_text("Show each point's pull on the classifiers", exact=True)
    label = text.bounding_box()
    assert label["width"] > 10 * box.bounding_box()["width"]
    text.click(position={"x": label["width"] - 5, "y": label["height"] / 2})  # its far end
    expect(box).to_be_checked()
    lab.wait_for_plot("(p) => p.marks().pulls > 0")
    text.click()
    expect(box).not_to_be_checked()
    lab.wait_for_plot("(p) => p.marks().pulls === 0")


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(lab):
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/browser` "
                    "(tests/install-and-run.sh does)")
    if not lab.page.evaluate("() => typeof window.axe === 'object'"):
        lab.page.add_script_tag(content=AXE.read_text())  # inline: nothing is fetched
    found = lab.page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]})
        return result.violations.filter((v) => ["serious", "critical"].includes(v.impact))
            .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}))
    }""")
    return found


TABS = ("Points", "Optimizer", "Landscape", "Compare", "Loss", "Data")


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_axe_finds_no_serious_accessibility_violation(open_lab, server, presentation, tab):
    lab = open_at(open_lab, server, presentation, viewport=(1366, 768))
    # A tab's content is checked while it is shown (the others are not displayed).
    lab.open_tab(tab)
    assert axe_violations(lab) == []
