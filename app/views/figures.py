"""Bokeh figures in the page's type: their text in em of it (Bokeh scales em by the figure's own
font size, which is the page's), and their box as wide as their place and a height in em, so
that a chart grows with the rest of the page for a projector."""

import panel as pn

TEXT_SIZES = {"title": "1em", "axis_label": "0.95em", "tick": "0.9em", "legend": "1em"}
"""The size of each kind of text in a figure (a legend is page text: never below the page's
smallest size, which is 0.9 of its type only in normal mode)."""


def text_in_em(fig):
    """Set every text of `fig` (title, axes, legends, colour bars) in em of the page's type."""
    fig.title.text_font_size = TEXT_SIZES["title"]
    for axis in [*fig.xaxis, *fig.yaxis]:
        axis.axis_label_text_font_size = TEXT_SIZES["axis_label"]
        axis.major_label_text_font_size = TEXT_SIZES["tick"]
    for legend in fig.legend:
        legend.label_text_font_size = TEXT_SIZES["legend"]
    return fig


def figure_pane(fig, height_em):
    """`fig` as wide as its place and `height_em` tall in the page's type."""
    # A Column gives its children a flex basis of 0 and Bokeh a stretching figure a max-height
    # of 100 %: neither may shrink the figure below the height asked for.
    fig.update(sizing_mode="stretch_both", stylesheets=[
        *fig.stylesheets, f":host {{ height: {height_em}em !important; flex: 0 0 auto !important; "
        "max-height: none !important; min-width: 0 !important; }"])
    return pn.pane.Bokeh(fig, sizing_mode="stretch_width", margin=0)
