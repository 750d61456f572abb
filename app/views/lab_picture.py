"""A lab's own Run on its page's stream (losslab.transport.picture_stream): each step's picture
(the plot, the loss readouts, the step size now, W and b with their gradients) as the page's own
views would draw it, and the component of the page that receives a stream."""

import time

import param
from panel.custom import JSComponent

from losslab.session.training import STREAMED_QUIETLY
from losslab.transport import picture_stream
from losslab.transport.frame import Frame
from losslab.transport.picture_stream import PageStream, PointsText, picture
from losslab.transport.scene import Scene
from losslab.views.point_rows import RUNNING_EVERY_S
from losslab.web import script_path

CATCH_UP_S = RUNNING_EVERY_S
"""During a streamed Run, the views that follow it at their own rates (the points' table, the
worked math, the history, the address) hear of its steps this often: the fastest of those rates,
the table's."""


class PictureStream(JSComponent):
    """A page's end of a stream (app/web/picture_stream.js): opens it with `key` and sets each
    picture on the page's Scene and Frame."""

    scene = param.ClassSelector(class_=Scene, constant=True, doc="The page's plot's Scene.")
    frame = param.ClassSelector(class_=Frame, constant=True, doc="The page's Frame.")
    key = param.String("", doc="The key of this page's stream ('' : none open).")
    ignore_through = param.Integer(0, bounds=(0, None), doc=(
        "Pictures numbered up to this one are not set: the page took its picture back, and what "
        "was still on its way is older than what its document sends."))
    tries = param.Integer(picture_stream.OPEN_TRIES, constant=True,
                          doc="How many times to open the stream before leaving it.")
    refused_code = param.Integer(picture_stream.REFUSED, constant=True,
                                 doc="The close code of a stream this process does not hold.")

    _esm = script_path("picture_stream.js")


def shown(plot, readout, parameters, optimizer):
    """What a picture sets, as these views of one lab would draw it now: the Scene's `update`, the
    Frame's `texts` and `parameters`."""
    return {"update": plot.update(),
            "texts": {**readout.frame.texts, **readout.losses(), **readout.steps(),
                      **optimizer.step_size_now()},
            "parameters": parameters.shown()}


class LabStream:
    """The page's stream of its own Run (losslab.transport.pacing.RunTimer): opened with the page
    where the server offers streams, used while the lab runs and nothing else streams its
    picture (a class's)."""

    def __init__(self, plot, readout, parameters, optimizer):
        self.state = plot.state
        self.views = (plot, readout, parameters, optimizer)
        self.on_drawn = lambda: None  # the Run timer's: a picture was painted
        self.stream = PageStream(opened=self._opened, closed=lambda: None,
                                 drawn=lambda: self.on_drawn())
        self.view = PictureStream(scene=plot.scene, frame=readout.frame, width=0, height=0,
                                  margin=0, key=self.stream.key if picture_stream.served else "")
        self.streaming = False
        # The page shows a view that draws every step (the Landscape's path and marker): a Run
        # then goes through the document, paced by the browser as the document's messages are.
        self.every_step = False
        self._seq = 0
        self._points = PointsText()
        self._told_at = 0.0  # when the views last heard what the steps set quietly

    def _opened(self):
        """The page opened its stream, or opened it anew (its component drawn again) while a Run
        streams: the stream goes on there."""
        if self.streaming:
            self.stream.start()

    def usable(self):
        """Whether a Run may go on the stream: its page has it open, and no view shown follows
        every step (`every_step`)."""
        return self.stream.connected and not self.every_step

    def ready(self):
        """Whether a Run may start going on the stream now: it is usable, and no class's stream
        draws the picture."""
        return self.usable() and not self.state.streamed

    def begin(self):
        self.streaming = True
        self.state.streamed = True
        self.stream.start()

    def show(self):
        """Offer the picture of the lab as it is now; now and then, tell the other views."""
        self._seq += 1
        plot = self.views[0]
        points = plot.points()
        points_text = self._points.of(points, known=plot.browser_has(points))
        self.stream.offer(picture(self._seq, points_text, shown(*self.views)))
        if time.monotonic() - self._told_at >= CATCH_UP_S:
            self._tell_views()

    def _tell_views(self):
        self._told_at = time.monotonic()
        self.state.param.trigger(*STREAMED_QUIETLY)

    def holding_s(self):
        """How long the picture offered last may still wait for the page to paint the one before
        (0: it has gone, or goes now)."""
        return self.stream.holding_s()

    def end(self):
        """The page draws its own picture again: what the stream still carries is ignored, and
        every view sends the lab as it is now."""
        self.streaming = False
        self.stream.stop()
        self.view.ignore_through = self.stream.last_sent
        self.state.streamed = False
        self._tell_views()

    def release(self):
        self.stream.close()
