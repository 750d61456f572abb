"""The LossLab page in headless Chromium: what a student clicks, drags and reads."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from losslab import core
from losslab import labels

pytestmark = pytest.mark.browser


def default_evaluation(**objective):
    return core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B,
                         **objective)


def test_opens_on_the_default_data_with_core_numbers(open_lab, artifacts):
    lab = open_lab()
    ev = default_evaluation()
    assert lab.readout("Data loss") == pytest.approx(ev.data_loss, abs=5e-5)
    assert lab.readout("Regularization loss") == pytest.approx(ev.reg_loss, abs=5e-5)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)
    assert lab.readout("Steps") == 0
    rows = lab.table_rows()
    assert len(rows) == len(core.DEFAULT_POINTS)
    for i, row in enumerate(rows):
        assert float(row[1]) == pytest.approx(core.DEFAULT_POINTS[i][0], abs=1e-3)
        assert float(row[7]) == pytest.approx(ev.point_losses[i], abs=1e-4)
    lab.page.screenshot(path=artifacts / "default.png")


def test_step_lowers_the_total_loss(open_lab):
    lab = open_lab()
    before = lab.readout_text("Total loss")
    lab.click("Step")
    lab.wait_for_change("Total loss", before)
    assert lab.readout("Total loss") < float(before)
    expect(lab.page.locator("td.steps")).to_have_text("1")


def test_run_then_stop_lowers_the_loss_a_lot(open_lab):
    lab = open_lab()
    start = lab.readout("Total loss")
    lab.click("Run")
    lab.page.wait_for_timeout(3000)
    lab.click("Stop")
    lab.page.wait_for_timeout(300)
    steps = lab.readout("Steps")
    assert steps >= 30
    assert lab.readout("Total loss") < 0.5 * start
    lab.page.wait_for_timeout(500)
    assert lab.readout("Steps") == steps, "updates went on after Stop"
    assert lab.button("Run").is_visible()


def test_a_run_goes_on_the_page_stream_and_stop_hands_the_page_back_at_once(open_lab):
    lab = open_lab()
    lab.page.wait_for_timeout(500)  # the page opens its stream as it opens
    lab.click("Run")
    lab.page.wait_for_timeout(2500)
    lab.click("Stop")
    lab.page.wait_for_timeout(300)
    steps, pictures = lab.readout("Steps"), len(lab.stream_pictures)
    assert pictures >= 30, "the Run did not go on the page's stream"
    assert pictures <= steps
    # The table follows a streamed Run at its own rate and has the lab as it ended.
    total = lab.readout("Total loss")
    # Step right after Stop: the page shows the document's newer state, never an older picture.
    lab.click("Step")
    expect(lab.page.locator("td.steps")).to_have_text(str(int(steps) + 1))
    lab.page.wait_for_timeout(500)
    assert lab.readout("Steps") == steps + 1 and lab.readout("Total loss") != total
    assert len(lab.stream_pictures) == pictures, "pictures came after Stop"


def test_dragging_a_point_updates_its_row_and_the_loss_while_dragging(open_lab):
    lab = open_lab()
    before_row = lab.table_row(4)
    before_loss = lab.readout_text("Total loss")
    start, end = lab.press_point(4, toward=(0.9, -0.9))
    for _ in lab.mouse_moves(start, end, range(1, 11)):
        pass
    # Halfway, the button still pressed: the loss has already followed the point.
    lab.wait_for_change("Total loss", before_loss)
    for _ in lab.mouse_moves(start, end, range(11, 21)):
        pass
    lab.page.mouse.up()
    lab.page.wait_for_timeout(500)

    row = lab.table_row(4)
    assert row != before_row
    x0, x1 = float(row[1]), float(row[2])
    assert (x0, x1) == (pytest.approx(0.9, abs=0.03), pytest.approx(-0.9, abs=0.03))
    X = np.array(core.DEFAULT_POINTS)
    X[4] = (x0, x1)
    ev = core.evaluate(X, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B)
    assert float(row[7]) == pytest.approx(ev.point_losses[4], abs=2e-3)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=2e-3)


@pytest.mark.parametrize("loss", list(labels.LOSSES))
def test_each_loss_type_shows_what_core_computes(open_lab, loss):
    lab = open_lab()
    before = lab.readout_text("Data loss")
    lab.click(labels.LOSSES[loss])
    ev = default_evaluation(loss=loss)
    if abs(ev.data_loss - float(before)) > 1e-4:
        lab.wait_for_change("Data loss", before)
    assert lab.readout("Data loss") == pytest.approx(ev.data_loss, abs=5e-5)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)
    for i, row in enumerate(lab.table_rows()):
        assert float(row[7]) == pytest.approx(ev.point_losses[i], abs=5e-4)


def test_randomize_and_reset(open_lab):
    lab = open_lab()
    default_total = lab.readout_text("Total loss")
    lab.click("Randomize")
    lab.wait_for_change("Total loss", default_total)
    lab.click("Step")
    lab.page.wait_for_timeout(300)
    lab.click("Reset")
    lab.page.wait_for_timeout(500)
    assert lab.readout_text("Total loss") == default_total
    assert lab.readout("Steps") == 0


def test_moving_a_weight_slider_updates_the_loss_and_its_gradient(open_lab):
    lab = open_lab()
    before = lab.readout_text("Total loss")
    slider = lab.page.get_by_label("W[0,0]", exact=True)
    slider.focus()
    for _ in range(10):
        slider.press("ArrowLeft")  # one slider step (0.01) each
    W = np.array(core.DEFAULT_W)
    W[0, 0] -= 0.1
    ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, W, core.DEFAULT_B)
    # Each key press is an edit of its own; under load the last ones arrive a little later.
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{ev.total_loss:.4f}", timeout=10_000)
    gradient = lab.page.locator(".gradient-W00").inner_text()
    assert float(gradient.split()[-1]) == pytest.approx(ev.dW[0, 0], abs=5e-5)
    assert float(lab.page.get_by_label("W[0,0] value").input_value()) == pytest.approx(0.9)


def test_typing_an_exact_bias_updates_the_loss(open_lab):
    lab = open_lab()
    before = lab.readout_text("Total loss")
    box = lab.page.get_by_label("b[2] value")
    box.fill("1.25")
    box.press("Enter")
    lab.wait_for_change("Total loss", before)
    b = np.array(core.DEFAULT_B)
    b[2] = 1.25
    ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, b)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)
    box.fill("")  # a cleared box changes nothing and shows the value again
    box.press("Enter")
    lab.page.wait_for_timeout(300)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)
    assert float(box.input_value()) == 1.25


def test_a_typed_weight_moves_its_slider_and_a_refusal_goes_with_the_next_good_value(open_lab):
    lab = open_lab()
    box = lab.page.get_by_label("W[0,0] value", exact=True)
    slider = lab.page.get_by_label("W[0,0]", exact=True)
    box.fill("2.5")
    box.press("Enter")
    expect(slider).to_have_value("2.5")
    box.fill("16")  # past the slider's range: the range grows, the value is never clipped
    box.press("Enter")
    expect(slider).to_have_value("16")
    assert float(slider.get_attribute("max")) >= 16 and float(slider.get_attribute("min")) <= -16
    expect(box).to_have_value("16.000")
    alert = lab.page.locator(".alert").filter(has_text="W[0,0] must be a number")
    box.fill("0x10")  # JavaScript reads it as 16; a person meant no number
    box.press("Enter")
    expect(alert).to_contain_text("“0x10” was not applied, so W[0,0] is still 16.")
    box.fill("-1000000.5")
    box.press("Enter")
    expect(alert).to_contain_text("“-1000000.5” was not applied")
    expect(box).to_have_value("16.000")
    box.fill("1.5")
    box.press("Enter")
    expect(slider).to_have_value("1.5")
    expect(alert).to_have_count(0)
    W = np.array(core.DEFAULT_W)
    W[0, 0] = 1.5
    ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, W, core.DEFAULT_B)
    expect(lab.page.locator("td.total-loss")).to_have_text(f"{ev.total_loss:.4f}")


def test_selecting_a_row_highlights_its_point_and_back(open_lab):
    lab = open_lab()
    lab.table_row_element(2).locator("td").nth(1).click()
    lab.wait_for_plot("(p) => p.selected() === 2")
    expect(lab.table_row_element(2)).to_have_class(re.compile(r"\bselected\b"))
    expect(lab.table_row_element(2)).to_have_attribute("aria-selected", "true")
    x, y = lab.point_on_screen(6)
    lab.page.mouse.click(x, y)
    expect(lab.table_row_element(6)).to_have_class(re.compile(r"\bselected\b"))
    assert lab.selected_rows() == [6]


def test_two_tabs_do_not_affect_each_other(open_lab):
    first, second = open_lab(), open_lab()
    untouched = second.readout_text("Total loss")
    before = first.readout_text("Total loss")
    first.click("Step")
    first.wait_for_change("Total loss", before)
    first.drag_point(0, (-1.0, -1.0))
    first.page.wait_for_timeout(500)
    assert second.readout_text("Total loss") == untouched
    assert second.readout("Steps") == 0
    assert float(second.table_row(0)[1]) == pytest.approx(core.DEFAULT_POINTS[0][0], abs=1e-3)


def test_pull_arrows_appear_with_their_toggle(open_lab):
    lab = open_lab()
    assert lab.plot_js("(p) => p.marks().pulls") == 0
    lab.page.get_by_role("checkbox").check()
    lab.wait_for_plot("(p) => p.marks().pulls > 0")
    ev = default_evaluation()
    assert lab.plot_js("(p) => p.marks().pulls") == int((ev.dscores != 0).sum())
    assert lab.plot_js("(p) => p.marks()") == dict(points=9, regions=3, lines=3, score=3,
                                                   gradient=3, carried=0, batch=0,
                                                   pulls=int((ev.dscores != 0).sum()))
    expect(lab.page.locator(".plot-legend").get_by_text("each point's pull")).to_be_visible()


def test_a_diverging_run_stops_by_itself_and_says_why(open_lab):
    lab = open_lab()
    step_size = lab.page.get_by_label("Step size α value", exact=True)
    step_size.fill("10")  # the largest step size
    step_size.press("Enter")
    strength = lab.page.get_by_label("Regularization λ value", exact=True)
    strength.fill("10")
    strength.press("Enter")
    lab.page.wait_for_timeout(500)
    lab.click("Run")
    expect(lab.page.get_by_text("lower the step size")).to_be_visible(timeout=15_000)
    expect(lab.button("Run")).to_be_visible()
    steps = lab.readout("Steps")
    lab.page.wait_for_timeout(500)
    assert lab.readout("Steps") == steps
    for label in ("Data loss", "Regularization loss", "Total loss"):
        text = lab.readout_text(label)
        assert "nan" not in text.lower() and "inf" not in text.lower()
