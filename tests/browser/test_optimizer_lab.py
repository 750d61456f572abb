"""The optimizer lab in the browser: pick an optimizer, run, read the history and the landscape."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HISTORY_LENGTH = """() => {
  const doc = Bokeh.documents[0]
  const chart = [...doc.all_models].find(m => m.type == "Figure" && m.title && m.title.text == "Loss history")
  return chart.renderers[0].data_source.data.step.length
}"""

LANDSCAPE_AXES = """() => {
  const doc = Bokeh.documents[0]
  const map = [...doc.all_models].find(m => m.type == "Figure" && m.title && m.title.text.startsWith("Total loss over two parameters"))
  return [map.below[0].axis_label, map.left[0].axis_label, map.x_range.start, map.x_range.end]
}"""

COMPARE_LINES = """() => {
  const doc = Bokeh.documents[0]
  const chart = [...doc.all_models].find(m => m.type == "Figure" && m.title && m.title.text == "Total loss from the same start")
  return chart.renderers.filter(r => r.visible).length
}"""


def test_adam_runs_the_loss_falls_and_the_history_grows(open_lab, artifacts):
    lab = open_lab()
    lab.open_tab("Optimizer")
    lab.page.get_by_label("Optimizer", exact=True).select_option(label="Adam")
    expect(lab.page.get_by_text("Adam starts afresh")).to_be_visible()
    expect(lab.page.get_by_text("β2")).to_be_visible()
    start = lab.readout("Total loss")
    lab.click("Run")
    lab.page.wait_for_timeout(2500)
    lab.click("Stop")
    lab.page.wait_for_timeout(500)
    steps = lab.readout("Steps")
    assert steps >= 5
    assert lab.readout("Total loss") < start
    assert lab.page.evaluate(HISTORY_LENGTH) == steps + 1
    lab.page.screenshot(path=artifacts / "optimizer.png")


def test_the_landscape_follows_the_chosen_parameters(open_lab, artifacts):
    lab = open_lab()
    lab.open_tab("Landscape")
    # The map is computed once its tab is shown: wait for it.
    lab.page.wait_for_function(f"() => ({LANDSCAPE_AXES})()[0] != null", timeout=10_000)
    x_label, y_label, start, end = lab.page.evaluate(LANDSCAPE_AXES)
    assert (x_label, y_label) == ("W[0,0]", "W[0,1]")
    assert start < 1.0 < end  # W[0,0] is 1 at the start
    selects = lab.page.locator("select")
    selects.filter(has=lab.page.locator("option", has_text="b[2]")).first.select_option(label="b[1]")
    lab.page.wait_for_function(f"() => ({LANDSCAPE_AXES})()[0] == 'b[1]'", timeout=10_000)
    x_label, _, start, end = lab.page.evaluate(LANDSCAPE_AXES)
    assert start < 0.5 < end  # b[1] is 0.5 at the start
    lab.page.screenshot(path=artifacts / "landscape.png")


def test_compare_draws_one_curve_per_optimizer(open_lab, artifacts):
    lab = open_lab()
    lab.open_tab("Compare")
    lab.page.get_by_role("checkbox", name="RMSProp").check()
    lab.page.get_by_role("button", name="Compare", exact=True).click()
    expect(lab.page.get_by_text("Total loss after 200 steps")).to_be_visible()
    for name in ("SGD", "Momentum", "RMSProp", "Adam"):
        expect(lab.page.locator(".compare-status")).to_contain_text(name)
    assert lab.page.evaluate(COMPARE_LINES) == 4
    lab.page.get_by_role("checkbox", name="AdaGrad").check()  # a fifth: taken back
    expect(lab.page.get_by_text("At most 4 optimizers at once")).to_be_visible()
    expect(lab.page.get_by_role("checkbox", name="AdaGrad")).not_to_be_checked()
    expect(lab.page.get_by_role("checkbox", name="RMSProp")).to_be_checked()
    lab.page.screenshot(path=artifacts / "compare.png")


def test_a_number_past_its_bounds_is_refused_with_a_message_and_the_box_shows_the_value_in_force(
        open_lab):
    lab = open_lab()
    lab.open_tab("Optimizer")
    lab.page.get_by_label("Full batch").uncheck()
    box = lab.page.get_by_label("Mini-batch size", exact=True)
    expect(box).to_be_enabled()
    box.fill("100")
    box.press("Enter")
    expect(lab.page.locator(".alert")).to_contain_text(
        "Mini-batch size must be between 1 and 9, not 100; it stays 9.")
    expect(box).to_have_value("9")
    box.fill("4")
    box.press("Enter")  # applied: the refusal goes
    expect(lab.page.locator(".alert").filter(has_text="Mini-batch size")).to_have_count(0)
    expect(box).to_have_value("4")
