"""The charts and the controls around them, in-process: what each shows and when."""

import numpy as np
import pytest
from bokeh.models import ColorBar

from losslab import core
from losslab.palette import CLASS_COLORS, COMPARE_STYLES, LOSS_COLORS
from losslab.page import LabPage
from losslab.session.share_codec import from_query
from losslab.session.state import LabState
from losslab.views.settings import RUN_SPEEDS


@pytest.fixture
def page():
    return LabPage(state=LabState(random_seed=0))


def test_the_history_legend_sits_below_the_curves(page):
    fig = page.history.figure
    legend = fig.legend[0]
    assert legend in fig.below and legend not in fig.center
    assert [item.label.value for item in fig.legend[0].items][:3] == ["total", "data",
                                                                      "regularization"]


def test_the_history_legend_never_names_the_streamed_source(page):
    # BokehJS rebuilds a legend whenever a source of its lines changes: its entries stand in for
    # the streamed lines, each in its line's style, and show and hide the line they stand for.
    history = page.history
    lines = {r.id: r for r in history.figure.renderers if r.data_source is history.source}
    for item in history.figure.legend[0].items:
        (proxy,) = item.renderers
        assert proxy.data_source is not history.source
        assert proxy.data_source.data["step"] == [] or np.isnan(proxy.data_source.data["step"]).all()
        (callback,) = proxy.js_property_callbacks["change:visible"]
        line = lines[callback.args["line_id"]]
        assert (line.glyph.line_color, line.glyph.line_dash) == \
            (proxy.glyph.line_color, proxy.glyph.line_dash)
    assert len(lines) == len(history.figure.legend[0].items)


def test_the_history_says_what_it_will_show_until_the_first_step(page):
    assert page.history.empty.visible
    assert (page.history.figure.x_range.start, page.history.figure.x_range.end) == (0, 10)
    page.training.step()
    assert not page.history.empty.visible
    page.state.reset()
    assert page.history.empty.visible


def test_the_mini_batch_entry_shows_only_once_a_mini_batch_is_drawn(page):
    entry = page.history.legend_items["batch_loss"]
    page.training.step()
    assert not entry.visible, "a full-batch run has no mini-batch loss to show"
    page.state.batch_size = 3
    page.training.step()
    assert entry.visible
    page.state.reset()
    assert not entry.visible


def test_chart_colours_are_not_class_colours():
    classes = {c.lower() for c in CLASS_COLORS}
    assert not classes & {c.lower() for c, _ in COMPARE_STYLES}
    assert not classes & {c.lower() for c in LOSS_COLORS.values()}
    assert len({c for c, _ in COMPARE_STYLES}) == len({d for _, d in COMPARE_STYLES}) == 4


def test_compared_optimizers_are_drawn_apart(page):
    page.compare.choice.value = ["sgd", "momentum", "adam"]
    page.compare.steps.value = 20
    page.compare.run()
    shown = [line for line in page.compare.lines if line.visible]
    assert len({(line.glyph.line_color, tuple(line.glyph.line_dash)) for line in shown}) == 3
    assert page.compare.legend in page.compare.figure.below


def test_a_comparison_says_which_run_stopped_and_why(page):
    page.state.param.update(step_size=10.0, squared=True)
    page.compare.choice.value = ["sgd", "adam"]
    page.compare.steps.value = 300
    page.compare.run()
    assert "SGD stopped at step" in page.compare.status.object
    assert "grew past" in page.compare.status.object


def test_the_landscape_has_a_colour_bar_of_its_log_scale(page):
    bars = [r for r in page.landscape.figure.right if isinstance(r, ColorBar)]
    assert len(bars) == 1 and bars[0].color_mapper is page.landscape.mapper


def test_run_speeds_are_within_the_declared_bounds():
    low, high = LabState.param.run_speed.bounds
    assert 0 in RUN_SPEEDS and all(low <= s <= high for s in RUN_SPEEDS if s)


@pytest.mark.parametrize("speed, period", [(None, 1 / 60), (10, 0.1), (1, 1.0)])
def test_the_run_speed_sets_the_run_period(page, speed, period):
    page.state.run_speed = speed
    assert page.timer.period() == pytest.approx(period)
    page.settings.run_speed.value = 3
    assert page.state.run_speed == 3


@pytest.mark.parametrize("slider, name", [("step_size", "step_size"),
                                          ("reg_strength", "reg_strength")])
def test_a_typed_value_out_of_bounds_is_refused_and_says_why(page, slider, name):
    control = getattr(page.settings, slider)
    before = getattr(page.state, name)
    low, high = LabState.param[name].bounds
    control.set(high * 10)
    assert getattr(page.state, name) == before
    assert "must be between" in control.widget.message and f"stays {before:g}" in \
        control.widget.message
    refusals = control.widget.refused
    control.set(float("inf"))
    assert control.widget.refused == refusals + 1 and getattr(page.state, name) == before
    control.set((low + high) / 2)
    assert getattr(page.state, name) == (low + high) / 2 and control.widget.message == ""
    assert control.widget.value == (low + high) / 2


def test_the_sliders_take_their_bounds_from_the_state(page):
    for control in (page.settings.step_size, page.settings.reg_strength,
                    page.loss_settings.margin):
        assert (control.widget.start, control.widget.end) == \
            LabState.param[control.setting].bounds
    assert page.settings.step_size.widget.log and not page.settings.reg_strength.widget.log


def test_copy_link_holds_the_lab(page):
    page.state.param.update(loss="softmax", step_size=0.02)
    page.training.step()
    page.share.write_address.flush()  # what the page's timer does within ADDRESS_EVERY_S
    values = from_query(page.share.copy_link.query)
    assert values["loss"] == "softmax" and values["step_size"] == pytest.approx(0.02)
    np.testing.assert_array_equal(values["W"], page.state.W)
    assert core.evaluate(values["X"], values["y"], values["W"], values["b"],
                         **page.state.objective).total_loss == page.state.evaluation.total_loss
