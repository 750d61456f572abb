"""The main plot in headless Chromium, used as a person would: mouse, touch (real touch events on
a tablet and a phone), the toolbar, keys, the tooltip and what it says to a screen reader."""

import struct

import numpy as np
import pytest
from playwright.sync_api import expect

from losslab import core

pytestmark = pytest.mark.browser

NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
TABLET = dict(viewport=(820, 1180), has_touch=True, is_mobile=True, device_scale_factor=2)
PHONE = dict(viewport=(390, 844), has_touch=True, is_mobile=True, device_scale_factor=3)


def total_loss_at(X):
    return core.evaluate(X, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B).total_loss


def moved(i, x):
    X = np.array(core.DEFAULT_POINTS)
    X[i] = x
    return X


def test_a_mouse_drag_keeps_the_point_under_the_pointer_and_the_loss_follows(open_lab):
    lab = open_lab()
    before = lab.readout_text("Total loss")
    start, end = lab.press_point(4, toward=(0.9, -0.9))
    for _ in lab.mouse_moves(start, end, range(1, 11)):
        pass
    lab.wait_for_change("Total loss", before)  # during the drag, the button still pressed
    for _, (x, y) in lab.mouse_moves(start, end, range(11, 21)):
        px, py = lab.point_on_screen(4)
        assert abs(px - x) < 1 and abs(py - y) < 1
    lab.page.mouse.up()
    x = lab.point_drawn(4)
    assert x == [pytest.approx(0.9, abs=0.01), pytest.approx(-0.9, abs=0.01)]
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{total_loss_at(moved(4, x)):.4f}")
    assert lab.plot_js("(p) => p.tooltip()") is None  # no tooltip during or right after a drag


@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_touch_drag_moves_the_point_under_the_finger(open_lab, device, artifacts):
    lab = open_lab(**device)
    lab.plot.scroll_into_view_if_needed()
    start = lab.point_on_screen(4)
    end = lab.data_on_screen(0.8, -0.8)
    before = lab.readout_text("Total loss")
    lab.touch_drag(start, end, lift=False)
    lab.wait_for_change("Total loss", before)  # the finger still down
    lab.touch("touchEnd")
    px, py = lab.point_on_screen(4)
    assert abs(px - end[0]) < 3 and abs(py - end[1]) < 3
    x = lab.point_drawn(4)
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{total_loss_at(moved(4, x)):.4f}")
    assert lab.plot_js("(p) => p.sizes().dpr") == device["device_scale_factor"]
    name = "tablet" if device is TABLET else "phone"
    lab.page.screenshot(path=artifacts / f"plot-{name}.png")


def test_a_cancelled_touch_leaves_the_point_where_it_was_last_reported(open_lab):
    lab = open_lab(**TABLET)
    lab.plot.scroll_into_view_if_needed()
    start = lab.point_on_screen(2)
    # Far past the plot's edge: the point stays inside the view.
    lab.touch_drag(start, (start[0] + 2000, start[1]), moves=10, lift=False)
    reached = lab.point_drawn(2)  # the server has the last position once the total follows it
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{total_loss_at(moved(2, reached)):.4f}")
    lab.touch("touchCancel")
    x = lab.point_drawn(2)
    xmin, xmax, ymin, ymax = lab.plot_js("(p) => p.view()")
    assert xmin < x[0] < xmax and ymin < x[1] < ymax
    assert x[0] > 0.9 * xmax  # it went as far as the view lets it
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{total_loss_at(moved(2, x)):.4f}")
    row = lab.table_row(2)
    assert (float(row[1]), float(row[2])) == (pytest.approx(x[0], abs=1e-3), pytest.approx(x[1], abs=1e-3))


def test_two_fingers_zoom_and_one_finger_pans_in_pan_mode(open_lab):
    lab = open_lab(**TABLET)
    lab.plot.scroll_into_view_if_needed()
    span = lambda box: box[1] - box[0]  # noqa: E731
    before = lab.plot_js("(p) => p.view()")
    cx, cy = lab.data_on_screen(0.0, 0.0)
    for k in range(9):
        lab.touch("touchStart" if k == 0 else "touchMove", (cx - 20 - 10 * k, cy), (cx + 20 + 10 * k, cy))
        lab.page.wait_for_timeout(25)
    lab.touch("touchEnd")
    zoomed = lab.plot_js("(p) => p.view()")
    assert span(zoomed) == pytest.approx(span(before) * 40 / 200, rel=0.05)  # fingers 40 → 200 px apart
    # The lab's view follows, and its geometry is computed for it.
    lab.wait_for_plot(f"(p) => Math.abs(p.updateBox()[1] - p.updateBox()[0] - {span(zoomed)}) < 1e-9")
    assert lab.plot_js("(p) => p.labBox()") == pytest.approx(zoomed)

    lab.page.get_by_role("button", name="Pan/zoom").tap()
    expect(lab.page.get_by_role("button", name="Pan/zoom")).to_have_attribute("aria-pressed", "true")
    x, y = lab.data_on_screen(zoomed[0] + 0.1 * span(zoomed), zoomed[2] + 0.1 * span(zoomed))
    lab.touch_drag((x, y), (x + 60, y))  # the background, away from every point
    panned = lab.plot_js("(p) => p.view()")
    per_pixel = span(zoomed) / lab.plot_js("(p) => p.sizes().size - p.sizes().margin - p.sizes().pad")
    assert panned[0] == pytest.approx(zoomed[0] - 60 * per_pixel, rel=0.05, abs=0.02)
    assert span(panned) == pytest.approx(span(zoomed))

    lab.page.get_by_role("button", name="Reset view").tap()
    assert lab.plot_js("(p) => p.view()") == pytest.approx(list(core.DEFAULT_BOX))


def test_the_wheel_zooms_only_in_pan_mode_and_the_keys_reach_the_toolbar(open_lab):
    lab = open_lab()
    before = lab.plot_js("(p) => p.view()")
    x, y = lab.data_on_screen(0.5, 0.5)
    lab.page.mouse.move(x, y)
    lab.page.mouse.wheel(0, -300)
    lab.page.evaluate(NEXT_FRAMES)  # the wheel event has been handled and a frame drawn
    assert lab.plot_js("(p) => p.view()") == before  # the page scrolls, the plot stays
    toggle = lab.page.get_by_role("button", name="Pan/zoom")
    toggle.focus()
    lab.page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    lab.page.mouse.move(x, y)
    lab.page.mouse.wheel(0, -300)
    lab.wait_for_plot(f"(p) => p.view()[1] - p.view()[0] < {before[1] - before[0]}")
    zoomed = lab.plot_js("(p) => p.view()")
    assert zoomed[1] - zoomed[0] < before[1] - before[0]
    # Zoomed about the pointer: the data point under it stays under it.
    # (Within a pixel: a wheel event's position is in whole pixels.)
    pixel = (before[1] - before[0]) / lab.plot_js("(p) => p.sizes().size")
    assert lab.plot_js("(p, [x, y]) => p.screenToData(x, y)", [x, y]) == \
        [pytest.approx(0.5, abs=pixel), pytest.approx(0.5, abs=pixel)]
    lab.page.get_by_role("button", name="Reset view").focus()
    lab.page.keyboard.press("Enter")
    assert lab.plot_js("(p) => p.view()") == pytest.approx(before)


def test_save_downloads_the_plot_as_a_png(open_lab, tmp_path):
    lab = open_lab()
    with lab.page.expect_download() as download:
        lab.page.get_by_role("button", name="Save PNG").click()
    assert download.value.suggested_filename == "losslab.png"
    saved = tmp_path / "plot.png"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    size = lab.plot_js("(p) => Math.round(p.sizes().size * p.sizes().dpr)")
    assert width == height == size > 200


def test_a_tap_selects_the_point_and_its_row_and_presentation_sizes_stay(open_lab):
    lab = open_lab(viewport=(1280, 720), has_touch=True)
    lab.page.keyboard.press("p")
    lab.wait_for_plot("(p) => p.presentation()")
    big = lab.plot_js("(p) => p.sizes()")
    x, y = lab.point_on_screen(3)
    lab.page.touchscreen.tap(x, y)
    lab.wait_for_plot("(p) => p.selected() === 3")
    expect(lab.table_row_element(3)).to_have_attribute("aria-selected", "true")
    after = lab.plot_js("(p) => p.sizes()")
    assert after == big  # selecting never changes how large anything is drawn
    lab.page.keyboard.press("p")
    lab.wait_for_plot("(p) => !p.presentation()")
    small = lab.plot_js("(p) => p.sizes()")
    assert small["dot"] < big["dot"] and small["line"] < big["line"] and small["tick"] < big["tick"]


def test_keys_nudge_and_pick_points_without_taking_the_pages_shortcuts(open_lab):
    lab = open_lab()
    x, y = lab.point_on_screen(4)
    lab.page.mouse.click(x, y)  # selects point 4 and focuses the plot
    lab.wait_for_plot("(p) => p.selected() === 4")
    start = lab.point_drawn(4)
    span = np.ptp(lab.plot_js("(p) => p.view()")[:2])
    for _ in range(5):
        lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("ArrowUp")
    x = lab.point_drawn(4)
    assert x == [pytest.approx(start[0] + 0.05 * span), pytest.approx(start[1] + 0.01 * span)]
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{total_loss_at(moved(4, x)):.4f}")
    lab.page.keyboard.press("]")
    lab.wait_for_plot("(p) => p.selected() === 5")
    lab.page.keyboard.press("[")
    lab.page.keyboard.press("[")
    lab.wait_for_plot("(p) => p.selected() === 3")
    lab.page.keyboard.press("Escape")
    lab.wait_for_plot("(p) => p.selected() === null")
    # Without a selection the arrows pan the view; the page's own keys still work.
    view = lab.plot_js("(p) => p.view()")
    lab.page.keyboard.press("ArrowLeft")
    assert lab.plot_js("(p) => p.view()")[0] == pytest.approx(view[0] - 0.1 * span)
    before = lab.readout_text("Total loss")
    lab.page.keyboard.press("s")
    expect(lab.page.locator("td.steps")).to_have_text("1")
    lab.wait_for_change("Total loss", before)


def test_the_tooltip_tells_about_the_point_and_never_covers_it(open_lab):
    lab = open_lab()
    lab.click("Softmax")
    for i in (2, 6, 8):
        x, y = lab.point_on_screen(i)
        lab.page.mouse.move(x, y)
        # (Softmax's numbers reach the plot a moment after the click.)
        lab.wait_for_plot(f"(p) => p.tooltip() && p.tooltip().text.startsWith('point {i} ') "
                          "&& p.tooltip().text.includes('probabilities')")
        tip = lab.plot_js("(p) => p.tooltip()")
        assert "loss" in tip["text"] and "scores" in tip["text"] and "probabilities" in tip["text"]
        radius = lab.plot_js("(p, i) => p.sizes().dot", i)
        assert not (tip["left"] - radius <= x <= tip["right"] + radius
                    and tip["top"] - radius <= y <= tip["bottom"] + radius)
    lab.page.mouse.move(5, 5)
    lab.wait_for_plot("(p) => p.tooltip() === null")


def test_the_plot_says_what_it_draws_and_has_a_legend(open_lab):
    lab = open_lab()
    stage = lab.page.get_by_role("img", name="Plot of a linear classifier")
    expect(stage).to_have_attribute("aria-label", "Plot of a linear classifier on 9 points of 3 classes: "
                                    "2 of 9 classified correctly, total loss 6.267. It shows each "
                                    "class's region, its zero-score line with the direction in which "
                                    "its score grows, and the arrow of the next step.")
    assert stage.get_attribute("tabindex") == "0"
    legend = lab.page.locator(".plot-legend")
    for text in ("class 0", "class 1", "class 2", "score grows", "the next step",
                 "ring: the point's loss", "selected"):
        expect(legend).to_contain_text(text)
    expect(legend.get_by_text("carried by the optimizer")).to_be_hidden()
    lab.click("Randomize")
    expect(stage).not_to_have_attribute("aria-label", "2 of 9 classified correctly", timeout=10_000)


@pytest.mark.parametrize("viewport", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_the_plot_fills_its_box_at_classroom_sizes(open_lab, artifacts, viewport, presentation):
    lab = open_lab(viewport=viewport)
    if presentation:
        lab.page.keyboard.press("p")
        lab.wait_for_plot("(p) => p.presentation()")
    # The plot follows its box after a frame or two; wait until it has.
    lab.page.wait_for_function(
        "(el) => { const s = el.losslab.sizes().size, w = el.getBoundingClientRect().width;"
        " return s >= 240 && s <= w + 1 }", arg=lab.plot.element_handle())
    sizes = lab.plot_js("(p) => p.sizes()")
    box = lab.plot.bounding_box()
    assert sizes["size"] >= 240
    assert sizes["size"] <= box["width"] + 1
    lab.plot.screenshot(path=artifacts / f"plot-{viewport[0]}x{viewport[1]}-"
                                          f"{'presentation' if presentation else 'normal'}.png")
