"""The page's watch on its connection to the server: a page whose server has gone says so at
once, takes no more input, and reopens the lab its address holds when the server is back."""

import param
from panel.custom import JSComponent

from losslab.palette import VERDICT_COLORS
from losslab.web import script_path

RETRY_MS = 1000
"""How often a page that lost its server asks whether it is back."""


class ConnectionWatch(JSComponent):
    """Listens for BokehJS's `connection_lost` (sent the moment the page's websocket closes; Panel
    turns Bokeh's own reconnecting and notice off), then covers the page with a notice, makes
    everything under it inert, and asks the server every `retry_ms` whether it answers: once it
    does, reloads the page. The page's address holds the lab (during a Run too, a few seconds
    behind), so the lab reopens as it was. A page whose server restarted gets a new session:
    sessions are signed with a secret of each start, and the old one is gone anyway."""

    served = param.Boolean(False, doc="Whether the page is served (in a notebook nothing "
                                      "reloads: the notebook's own page would).")
    retry_ms = param.Integer(RETRY_MS, constant=True, doc="How often to ask for the server.")
    color = param.Color(VERDICT_COLORS["fail"], constant=True, doc="Colour of the notice.")
    lost_text = param.String(
        "The connection to the LossLab server is lost. The lab is paused and takes no input; "
        "it reopens by itself, as its address holds it, when the server is back.",
        constant=True, doc="What the notice says while the server is away.")
    back_text = param.String("The server is back: reopening the lab…", constant=True,
                             doc="What the notice says as the page reloads.")

    _esm = script_path("connection_watch.js")
