"""The picture of a class's lab that its stream carries (losslab.transport.class_stream), made
once in each process by the very views a page draws it with: the plot, the loss readouts, the
optimizer's step size now, W and b with their gradients, set up on the class feed's lab
(losslab.session.classroom.ClassFeed) instead of a student's; and the component of a student's
page that receives it."""

import param
from panel.custom import JSComponent

from losslab.session.training import Training
from losslab.transport import class_stream
from losslab.transport.frame import Frame
from losslab.transport.scene import Scene
from losslab.views.optimizer import OptimizerControls
from losslab.views.parameters import ParameterControls
from losslab.views.plot import PlotView
from losslab.views.readouts import LossReadout
from losslab.web import script_path


class ClassPicture:
    """The stream's pictures of one class's lab in this process."""

    def __init__(self, lab):
        """`lab`: the LabState the class's messages are set on (its feed's); its views here
        follow it as a page's follow its own."""
        self.frame = Frame()
        self.plot = PlotView(state=lab, training=Training(lab))
        self.views = (LossReadout(state=lab, frame=self.frame),
                      ParameterControls(state=lab, frame=self.frame),
                      OptimizerControls(state=lab, frame=self.frame))
        self._points = None  # the Scene's points last numbered
        self._points_version = 0
        self._picture = None

    def picture(self, seq):
        """The Picture of the lab as it is now, numbered `seq` (made once per `seq`)."""
        if self._picture is not None and self._picture.seq == seq:
            return self._picture
        scene, frame = self.plot.scene, self.frame
        if scene.points is not self._points:
            self._points = scene.points
            self._points_version += 1
        self._picture = class_stream.picture(
            seq, self._points_version, scene.points,
            {"update": scene.update, "texts": frame.texts, "parameters": frame.parameters})
        return self._picture


class ClassStream(JSComponent):
    """A follower's page's end of the class's stream (app/web/class_stream.js): opens it with
    `key` and sets each picture on the page's Scene and Frame."""

    scene = param.ClassSelector(class_=Scene, constant=True, doc="The page's plot's Scene.")
    frame = param.ClassSelector(class_=Frame, constant=True, doc="The page's Frame.")
    key = param.String("", doc="The key of this page's stream ('' : none open).")
    tries = param.Integer(class_stream.OPEN_TRIES, constant=True,
                          doc="How many times to open the stream before leaving it.")
    refused_code = param.Integer(class_stream.REFUSED, constant=True,
                                 doc="The close code of a stream this process does not hold.")

    _esm = script_path("class_stream.js")
