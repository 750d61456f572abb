"""The numbers of the current update that are not in the plot, in one plain Bokeh model per page.

Every update changes the loss readouts and every entry of W and b with its gradient. Held by Panel
components, each change would pass through Panel's parameter machinery, which costs the server
more than the step itself; on this model an update is a few property changes in the same message
as the plot's sources. The components that show these numbers (the W/b panel, the readout tables)
hold a reference to the frame and redraw their numbers when it changes.

The frame also carries the Run pacing: the number of the latest update sent, and of the latest
the browser has painted (see losslab.transport.pacing), the one number the browser sends.
"""

from bokeh.core.properties import Dict, Float, Int, List, String
from bokeh.model import DataModel

from losslab.transport.wire import OneWay


class Frame(OneWay, DataModel):
    """What the page shows of the current update outside the plot, and the update's number."""

    REPORTS = frozenset({"drawn"})

    sent = Int(0, help="Number of the latest update sent to the browser.")
    drawn = Int(0, help="Number of the latest update the browser has painted.")
    texts = Dict(String, String, help="The text of every live readout, by the key of its cell.")
    parameters = Dict(String, List(Float), help=(
        "`values`: W and b in the parameter panel's row order; `gradients`: ∂L/∂ of each. In one "
        "property so that the panel redraws once per update."))

    def show(self, texts):
        """Set some readouts' texts (a dict by key), leaving the others as they are."""
        merged = {**self.texts, **texts}
        if merged != self.texts:  # an unchanged readout costs the message nothing
            self.texts = merged
