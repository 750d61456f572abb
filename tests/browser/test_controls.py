"""The controls around the plot in the browser: typed settings, Run speed, the copy-link button."""

import numpy as np
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_typed_lambda_out_of_range_says_why_and_shows_the_value_in_force(open_lab):
    lab = open_lab()
    before = lab.readout_text("Regularization loss")
    box = lab.page.get_by_label("Regularization λ value", exact=True)
    box.fill("1e6")
    box.press("Enter")
    expect(lab.page.locator(".setting-reg_strength .setting-message")).to_contain_text(
        "must be between 0 and 10")
    expect(box).to_have_value("0.1")
    assert lab.readout_text("Regularization loss") == before
    # Enter gave the keys back to the page: S steps again.
    lab.page.keyboard.press("s")
    expect(lab.page.locator("td.steps")).to_have_text("1")
    box.fill("0.5")
    box.press("Enter")
    W = np.asarray(lab_W_after_one_step(), dtype=float)
    expected = 0.5 * float(np.sum(W ** 2))
    expect(lab.page.locator("td.reg-loss")).to_have_text(f"{expected:.4f}", timeout=10_000)
    expect(lab.page.locator(".setting-reg_strength .setting-message")).to_have_text("")


def lab_W_after_one_step():
    from losslab.session.state import LabState
    from losslab.session.training import Training

    state = LabState()
    Training(state).step()
    return state.W


def test_copy_link_puts_a_link_to_this_lab_on_the_clipboard(open_lab):
    lab = open_lab()
    lab.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    before = lab.readout_text("Data loss")
    lab.click("Softmax")
    lab.wait_for_change("Data loss", before)
    lab.click("Step")
    expect(lab.page.locator("td.steps")).to_have_text("1", timeout=10_000)
    total = lab.readout_text("Total loss")
    lab.open_tab("Data")
    lab.page.wait_for_timeout(800)  # the address (and the link) follow within half a second
    lab.click("Copy link")
    expect(lab.page.locator(".copy-link-status")).to_have_text("Link copied.")
    link = lab.page.evaluate("navigator.clipboard.readText()")
    assert "loss=softmax" in link and link.startswith("http://localhost")
    other = open_lab(link)
    assert other.readout_text("Total loss") == total


def test_a_slower_run_speed_takes_that_many_steps_a_second(open_lab):
    lab = open_lab()
    lab.page.get_by_label("Run speed").select_option(label="3 steps/s")
    lab.page.wait_for_timeout(300)
    lab.click("Run")
    lab.page.wait_for_timeout(3000)
    lab.click("Stop")
    lab.page.wait_for_timeout(500)
    steps = lab.readout("Steps")
    assert 6 <= steps <= 12, f"{steps} steps in 3 s at 3 steps/s"
