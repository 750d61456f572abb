"""LossLab's web page: one `LabState` per session, drawn with Panel and Bokeh.

In a notebook::

    import panel as pn
    from app import create_app
    pn.extension()
    create_app()
"""

from app.page import LabPage, create_app
from app.state import LabState

__all__ = ["LabPage", "LabState", "create_app"]
