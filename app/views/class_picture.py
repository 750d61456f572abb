"""The picture of a class's lab that its stream carries (losslab.transport.picture_stream), made
once in each process by the very views a page draws it with: the plot, the loss readouts, the
optimizer's step size now, W and b with their gradients, set up on the class feed's lab
(losslab.session.classroom.ClassFeed) instead of a student's."""

from losslab.session.training import Training
from losslab.transport.frame import Frame
from losslab.transport.picture_stream import PointsText, picture
from losslab.views.optimizer import OptimizerControls
from losslab.views.parameters import ParameterControls
from losslab.views.plot import PlotView
from losslab.views.readouts import LossReadout


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
        self._points = PointsText()
        self._picture = None

    def picture(self, seq):
        """The Picture of the lab as it is now, numbered `seq` (made once per `seq`)."""
        if self._picture is not None and self._picture.seq == seq:
            return self._picture
        scene, frame = self.plot.scene, self.frame
        self._picture = picture(
            seq, self._points.of(scene.points),
            {"update": scene.update, "texts": frame.texts, "parameters": frame.parameters})
        return self._picture
