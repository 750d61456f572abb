"""Presentation mode: the page for a projector, with larger type, a larger plot, thicker lines."""

import param
from panel.custom import JSComponent

from losslab.views.base import View
from losslab.web import script_path

PRESENTATION_SCALE = 1.3
"""How much larger presentation mode makes the page's type and its plot."""


class PageScale(JSComponent):
    """Sets the lab's type scale (a CSS variable every LossLab stylesheet reads) on the lab's
    outermost element, so that it reaches all of this lab and nothing else on the page."""

    scale = param.Number(1.0, bounds=(0.5, 3.0), doc="The type scale.")

    _esm = script_path("page_scale.js")


class Presentation(View):
    """Keeps the page's type scale in step with the state's presentation mode."""

    def __init__(self, **params):
        super().__init__(**params)
        self.panel = PageScale(width=0, height=0, margin=0, scale=self.scale())
        self.state.param.watch(lambda event: setattr(self.panel, "scale", self.scale()),
                               "presentation")

    def scale(self):
        return PRESENTATION_SCALE if self.state.presentation else 1.0
