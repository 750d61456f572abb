"""The page's layout: its type scale, its grid, and the plot's box in it.

The grid is the stylesheet of two Panel Columns (app/web/page.css): the page's root, whose
element carries the type scale (a size in pixels that follows the window, larger in presentation
mode), and the grid inside it. Everything is sized in em of that type, so the whole page, not
only the plot, grows for a projector. The browser measures what CSS cannot know (how tall the
plot's toolbar and legend are, how tall a table row is) in `PageLayout`, which sets it as style
on the page and never sends anything to the server.
"""

import param
from panel.custom import JSComponent

from losslab.web import script_path, stylesheet

PAGE_STYLESHEET = stylesheet("page.css")
"""The page's type scale and grid (for the root, the grid and the grid's column boxes)."""

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
"""A phone or a tablet shows the page at its own width, not a desktop page zoomed out."""

PAGE_TEMPLATE = "{% block postamble %}" + VIEWPORT + "{% endblock %}"
"""The served page's head (a Jinja block of Panel's page template). A notebook has its own page,
and no template."""


class PageLayout(JSComponent):
    """Measures, in the browser, the plot's toolbar and legend, so that the grid can give the plot
    the largest square that fits (page_layout.js). It draws nothing."""

    _esm = script_path("page_layout.js")


def show_presentation(layouts, presentation):
    """Mark the page's root, its grid and the grid's columns for presentation mode (the class
    `presentation`), or unmark them: the type scale and the grid's areas follow."""
    for layout in layouts:
        classes = [c for c in layout.css_classes if c != "presentation"]
        layout.css_classes = classes + (["presentation"] if presentation else [])
