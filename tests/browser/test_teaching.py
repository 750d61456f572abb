"""Teaching tools in the browser: the worked loss, shared links, editing data, presentation."""

import re

import pytest
from playwright.sync_api import expect

from losslab import core

pytestmark = pytest.mark.browser

TERM = re.compile(r"\\max\(0,\\ [^=]*\) = (-?[\d.]+)")



def worked_math(lab, showing="L_i"):
    """The LaTeX source of the typeset explanation (KaTeX keeps it in an annotation), once it
    shows `showing`."""
    annotation = lab.page.locator("annotation[encoding='application/x-tex']").first
    expect(annotation).to_contain_text(showing)
    return annotation.text_content()


def test_clicking_a_point_works_its_loss_out_term_by_term(open_lab):
    lab = open_lab()
    x, y = lab.point_on_screen(4)
    lab.page.mouse.click(x, y)
    latex = worked_math(lab)
    terms = [float(t) for t in TERM.findall(latex)]
    row_loss = float(lab.table_row(4)[7])
    assert len(terms) == 2  # Weston–Watkins: one term per class other than the label
    assert sum(terms) == pytest.approx(row_loss, abs=0.011)
    expect(lab.page.get_by_text("Point 4", exact=True)).to_be_visible()


def test_softmax_is_worked_out_as_exp_normalize_log(open_lab):
    lab = open_lab()
    lab.click("Softmax")
    lab.table_row_element(1).locator("td").nth(1).click()
    latex = worked_math(lab, showing="e^{s}")
    assert "\\log" in latex
    loss = float(re.search(r"-\\log\([\d.]+\) = ([\d.]+)", latex).group(1))
    assert loss == pytest.approx(float(lab.table_row(1)[7]), abs=0.011)


def test_a_shared_address_opens_the_same_view_in_a_fresh_browser(open_lab):
    first = open_lab()
    first.drag_point(0, (-1.0, 1.1))
    before = first.readout_text("Data loss")
    first.click("Structured")
    first.wait_for_change("Data loss", before)
    first.click("Step")
    expect(first.page.locator("td.steps")).to_have_text("1")
    first.page.wait_for_timeout(1500)  # the address follows the state
    address = first.page.url
    assert "loss=structured_svm" in address
    second = open_lab(address)
    expect(second.page.locator("td.total-loss")).to_have_text(first.readout_text("Total loss"))
    second.page.wait_for_timeout(500)
    assert second.table_rows() == first.table_rows()
    assert second.readout_text("Data loss") == first.readout_text("Data loss")


def test_a_broken_address_is_refused_with_a_message(open_lab, server):
    lab = open_lab(server + "?version=1&W=1,2,oops&loss=softmax")
    expect(lab.page.get_by_text("This link could not be opened")).to_be_visible()
    ev = core.evaluate(core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B)
    assert lab.readout("Total loss") == pytest.approx(ev.total_loss, abs=5e-5)


def test_adding_and_deleting_points_with_the_mouse_and_keys(open_lab):
    lab = open_lab()
    lab.open_tab("Data")
    lab.page.get_by_role("button", name="Add class 2").click()
    lab.page.wait_for_timeout(300)
    x, y = lab.data_on_screen(-1.2, 1.2)
    lab.page.mouse.click(x, y)
    expect(lab.page.get_by_text("10 of at most 2000 points")).to_be_visible()
    lab.page.get_by_role("button", name="Select & drag").click()
    lab.page.wait_for_timeout(300)
    lab.page.mouse.click(x, y)  # select the new point
    expect(lab.page.get_by_role("button", name="Delete selected point")).to_be_enabled()
    lab.page.keyboard.press("Delete")
    expect(lab.page.get_by_text("9 of at most 2000 points")).to_be_visible()
    lab.page.get_by_role("button", name="Clear all points").click()
    expect(lab.page.get_by_text("0 of at most 2000 points")).to_be_visible()
    expect(lab.page.get_by_text("There are no points").first).to_be_visible()
    assert lab.readout("Data loss") == 0
    assert lab.readout("Regularization loss") == pytest.approx(3.5)
    expect(lab.page.locator("td.accuracy")).to_have_text("— (no points)")


def test_presentation_mode_and_shortcuts(open_lab, artifacts):
    lab = open_lab(viewport=(1920, 1080))
    before = lab.readout_text("Total loss")
    lab.page.keyboard.press("s")
    lab.wait_for_change("Total loss", before)
    lab.page.keyboard.press("p")
    lab.page.wait_for_timeout(800)
    lab.wait_for_plot("(p) => p.presentation() && p.sizes().size > 600")
    assert "presentation=true" in lab.page.url or lab.page.wait_for_timeout(1200) is None and \
        "presentation=true" in lab.page.url
    lab.page.screenshot(path=artifacts / "presentation.png")


def test_the_gradient_check_passes_on_softmax(open_lab):
    lab = open_lab()
    lab.click("Softmax")
    lab.open_tab("Loss")
    lab.page.get_by_role("button", name="Check gradients").click()
    expect(lab.page.get_by_text("All entries agree.")).to_be_visible()
    assert lab.page.locator("td.pass").count() == 9
    outdated = lab.page.get_by_text("This check was made before the lab last changed")
    expect(outdated).to_have_count(0)
    lab.page.get_by_role("button", name="L1", exact=True).click()  # a new lab: the check is old
    expect(outdated).to_be_visible()
    lab.page.get_by_role("button", name="Check gradients").click()
    expect(outdated).to_have_count(0)
    expect(lab.page.get_by_text("All entries agree.")).to_be_visible()


def test_a_lab_goes_to_a_json_file_and_comes_back(open_lab, tmp_path):
    first = open_lab()
    first.drag_point(2, (1.2, -1.1))
    before = first.readout_text("Data loss")
    first.click("Softmax")
    first.wait_for_change("Data loss", before)
    first.open_tab("Data")
    with first.page.expect_download() as download:
        first.page.get_by_role("button", name="Download this lab as JSON").click()
    saved = tmp_path / "lab.json"
    download.value.save_as(saved)

    second = open_lab()
    second.open_tab("Data")
    second.open_file(saved)
    expect(second.page.get_by_text(re.compile(r"^Opened "))).to_be_visible(timeout=15_000)
    expect(second.page.locator("td.data-loss")).to_have_text(first.readout_text("Data loss"))
    assert second.table_rows() == first.table_rows()

    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "W": [[1, 2], [3, "four"], [5, 6]]')
    second.open_file(broken)
    expect(second.page.get_by_text("Not opened")).to_be_visible(timeout=15_000)
    assert second.readout_text("Data loss") == first.readout_text("Data loss")
