"""A page's picture stream: a lab's own Run, and a class's picture for every student of a process,
each paced by its page."""

import asyncio
import json
import threading

import numpy as np
import pytest
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port
from tornado.websocket import websocket_connect

from losslab.page import LabPage
from losslab.session.state import LabState
from losslab.transport import picture_stream
from losslab.transport.picture_stream import PageStream, StreamHandler, plain
from losslab.views.class_picture import ClassPicture


class FakeSocket:
    def __init__(self):
        self.written = []

    def write_message(self, text):
        self.written.append(json.loads(text))

    def close(self):
        pass


def run(scenario):
    """Run the coroutine function `scenario` on an event loop of its own, in a thread of its own
    (the browser tests' driver may hold this thread's loop)."""
    failures = []

    def target():
        try:
            asyncio.run(scenario())
        except BaseException as error:  # noqa: BLE001 — reported in the test's thread
            failures.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the scenario did not finish"
    if failures:
        raise failures[0]


def lab_values():
    rng = np.random.default_rng(3)
    return dict(X=rng.normal(size=(80, 2)), y=rng.integers(0, 3, 80), W=rng.normal(size=(3, 2)),
                b=rng.normal(size=3), loss="softmax", steps=12)


def decoded(value):
    if isinstance(value, dict) and set(value) == {"dtype", "base64"}:
        import base64
        return np.frombuffer(base64.b64decode(value["base64"]), dtype=value["dtype"])
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    return value


def test_the_picture_is_what_a_page_of_the_same_lab_shows():
    page = LabPage(state=LabState(**lab_values()))
    picture = json.loads(ClassPicture(LabState(**lab_values())).picture(1).full)
    assert picture["texts"] == page.frame.texts
    assert picture["parameters"] == page.frame.parameters
    update, scene = decoded(picture["update"]), page.plot.scene
    assert update["text"] == scene.update["text"]
    for key in ("loss", "scores"):
        assert update[key].dtype == scene.update[key].dtype
        np.testing.assert_array_equal(update[key], scene.update[key])
    points = decoded(picture["points"])
    np.testing.assert_array_equal(points["x0"], scene.points["x0"])
    assert points["label"] == list(scene.points["label"])


def test_a_changed_lab_is_a_new_picture_and_the_points_a_new_version():
    lab = LabState(**lab_values())
    pictures = ClassPicture(lab)
    first = pictures.picture(1)
    assert pictures.picture(1) is first  # made once per number
    lab.W = lab.W * 2
    second = pictures.picture(2)
    assert second.points_version == first.points_version
    assert json.loads(second.light)["texts"]["total-loss"] != json.loads(first.light)["texts"]["total-loss"]
    lab.X = lab.X + 1
    assert pictures.picture(3).points_version == first.points_version + 1


def test_non_finite_numbers_travel_exactly():
    array = np.array([1.5, np.nan, np.inf, -np.inf], dtype=np.float32)
    text = json.dumps(plain({"a": array, "b": [1.5, float("nan"), float("-inf")]}),
                      allow_nan=False)  # JSON as a browser parses it: no NaN, no Infinity
    back = decoded(json.loads(text)["a"])
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, array)
    assert json.loads(text)["b"] == [1.5, {"number": "NaN"}, {"number": "-Infinity"}]


def pictures(count):
    points = picture_stream.PointsText().of({"x0": [1.0]})
    return [picture_stream.picture(seq, points, {"texts": {"steps": str(seq)}})
            for seq in range(1, count + 1)]


def test_a_page_is_sent_the_newest_picture_once_it_painted_the_last():
    opened, closed = [], []
    stream = PageStream(lambda: opened.append(1), lambda: closed.append(1))
    socket = FakeSocket()
    stream.attach(socket)
    assert opened == [1]
    one, two, three = pictures(3)
    stream.offer(one)
    assert socket.written == []  # not until the page leaves the picture to the stream
    stream.start()
    assert [p["seq"] for p in socket.written] == [1] and "points" in socket.written[0]
    stream.offer(two)
    stream.offer(three)
    assert len(socket.written) == 1  # the page is painting the first
    stream.drawn(2, socket)  # a picture it was not sent: no report
    assert len(socket.written) == 1
    stream.drawn(1, FakeSocket())  # not on the page's websocket: no report
    assert len(socket.written) == 1
    stream.drawn(1, socket)
    assert [p["seq"] for p in socket.written] == [1, 3]  # the newest; the second is skipped
    assert "points" not in socket.written[1]  # it has these points
    stream.stop()
    stream.drawn(3, socket)
    # Started again, the stream never sends a picture from before it stopped.
    stream.start()
    assert len(socket.written) == 2
    stream.stop()
    points = picture_stream.PointsText()
    stream.offer(picture_stream.picture(4, points, {}))
    assert len(socket.written) == 2  # stopped
    stream.offer(picture_stream.picture(5, points, {}))
    stream.start()
    assert [p["seq"] for p in socket.written] == [1, 3, 5]
    # The page drew the stream's component anew: its newest websocket takes over, from the
    # newest picture, with the points.
    redrawn = FakeSocket()
    stream.attach(redrawn)
    assert opened == [1] and [p["seq"] for p in redrawn.written] == [5]
    assert "points" in redrawn.written[0]
    stream.detach(socket)  # the old one closing changes nothing
    assert closed == [] and stream.connected
    # A new websocket while the stream is stopped asks the page's follower to start it.
    stream.stop()
    stream.attach(FakeSocket())
    assert opened == [1, 1]
    stream.detach(stream._socket)
    assert closed == [1] and not stream.connected


def test_a_picture_not_reported_painted_holds_the_next_back_only_for_a_while():
    async def scenario():
        stream = PageStream(lambda: None, lambda: None)
        socket = FakeSocket()
        stream.attach(socket)
        stream.start()
        one, two = pictures(2)
        stream.offer(one)
        stream.offer(two)
        await asyncio.sleep(picture_stream.STALE_AFTER_S / 2)
        assert len(socket.written) == 1
        await asyncio.sleep(picture_stream.STALE_AFTER_S / 2 + 0.3)
        assert [p["seq"] for p in socket.written] == [1, 2]

    run(scenario)


@pytest.mark.parametrize("report", ["x" * 200, "not json", "[1]", '{"drawn": "1"}', '{"W": [[9]]}'])
def test_the_stream_takes_nothing_from_a_page_but_its_report(report):
    async def scenario():
        sock, port = bind_unused_port()
        server = HTTPServer(tornado.web.Application([(picture_stream.ROUTE, StreamHandler)]))
        server.add_sockets([sock])
        stream = PageStream(lambda: None, lambda: None)
        refused = await websocket_connect(f"ws://127.0.0.1:{port}{picture_stream.ROUTE}?key=guess")
        assert await refused.read_message() is None  # closed: no such stream
        client = await websocket_connect(
            f"ws://127.0.0.1:{port}{picture_stream.ROUTE}?key={stream.key}")
        stream.start()
        stream.offer(pictures(1)[0])
        assert json.loads(await client.read_message())["seq"] == 1
        client.write_message(report)
        stream.offer(pictures(2)[1])
        await asyncio.sleep(0.2)
        assert stream._sent[0] == 1  # still waiting for the first to be painted
        client.write_message(json.dumps({"drawn": 1}))
        assert json.loads(await client.read_message())["seq"] == 2
        client.close()
        await asyncio.sleep(0.1)
        assert not stream.connected
        server.stop()

    run(scenario)


def test_a_page_of_another_origin_cannot_open_a_stream_unless_the_server_allows_it(monkeypatch):
    from tornado.httpclient import HTTPClientError, HTTPRequest

    monkeypatch.setattr(picture_stream, "origins", ("lab.example:8080",))

    async def scenario():
        sock, port = bind_unused_port()
        server = HTTPServer(tornado.web.Application([(picture_stream.ROUTE, StreamHandler)]))
        server.add_sockets([sock])
        stream = PageStream(lambda: None, lambda: None)
        address = f"ws://127.0.0.1:{port}{picture_stream.ROUTE}?key={stream.key}"
        with pytest.raises(HTTPClientError) as refused:
            await websocket_connect(HTTPRequest(address, headers={"Origin": "http://evil.example"}))
        assert refused.value.code == 403 and not stream.connected
        allowed = await websocket_connect(
            HTTPRequest(address, headers={"Origin": "http://lab.example:8080"}))
        await asyncio.sleep(0.1)
        assert stream.connected
        allowed.close()
        server.stop()

    run(scenario)


def test_a_run_on_the_page_stream_sends_each_step_as_a_picture_and_hands_the_page_back_at_stop():
    page = LabPage(state=LabState(**lab_values()))
    state, scene, frame = page.state, page.plot.scene, page.frame
    socket = FakeSocket()
    page.stream.stream.attach(socket)
    assert page.stream.ready()
    before = {"update": scene.update, "texts": dict(frame.texts), "sent": frame.sent,
              "rows": list(page.rows.source.data["loss"]), "steps": state.steps}
    state.running = True
    page.timer.stop()  # the test takes the steps, as the timer would
    page.stream.begin()
    for _ in range(5):
        page.timer._update()
        # The page paints each picture and says so; the next goes only then.
        page.stream.stream.drawn(socket.written[-1]["seq"], socket)
    first = before["steps"] + 1
    assert state.steps == first + 4 and len(socket.written) == 5
    assert [int(p["texts"]["steps"]) for p in socket.written] == list(range(first, first + 5))
    assert "points" in socket.written[0] and "points" not in socket.written[1]
    # Nothing of the picture went through the document: its models are as they were.
    assert scene.update is before["update"] and frame.texts == before["texts"]
    assert frame.sent == before["sent"]
    # The picture is the page's own views' drawing of the lab now.
    last = socket.written[-1]
    assert last["texts"]["total-loss"] == page.readout.losses()["total-loss"]
    assert last["parameters"] == page.parameters.shown()
    np.testing.assert_array_equal(decoded(last["update"])["loss"], page.plot.update()["loss"])

    state.running = False
    assert not state.streamed and not page.stream.streaming
    # What was still on its way is ignored by the page; its document now has the lab as it is.
    assert page.stream.view.ignore_through == 5
    assert frame.texts["steps"] == str(first + 4)
    assert frame.texts["total-loss"] == last["texts"]["total-loss"]
    assert frame.parameters == last["parameters"]
    np.testing.assert_array_equal(scene.update["loss"], page.plot.update()["loss"])
    assert list(page.rows.source.data["loss"]) != before["rows"]  # the table caught up
    np.testing.assert_allclose(page.rows.source.data["loss"], state.evaluation.point_losses)
    # A later Run starts afresh on the stream: its first picture goes at once.
    state.running = True
    page.timer.stop()
    page.stream.begin()
    page.timer._update()
    assert socket.written[-1]["seq"] == 6 and state.steps == first + 5
    state.running = False


def test_a_streamed_step_that_diverges_stops_the_run_and_shows_the_lab_before_it():
    page = LabPage(state=LabState(**lab_values()))
    state = page.state
    socket = FakeSocket()
    page.stream.stream.attach(socket)
    state.param.update(step_size=10.0, reg_strength=10.0)
    steps = state.steps
    state.running = True
    page.timer.stop()
    page.stream.begin()
    for _ in range(500):
        if not state.running:
            break
        page.timer._update()
        if socket.written:
            page.stream.stream.drawn(socket.written[-1]["seq"], socket)
    assert not state.running and not state.streamed and state.message
    assert np.isfinite(state.W).all()
    assert page.frame.texts["steps"] == str(state.steps)
    # Every step taken was a picture; the diverged one was not taken.
    assert len(socket.written) == state.steps - steps


def streaming_page():
    page = LabPage(state=LabState(**lab_values()))
    socket = FakeSocket()
    page.stream.stream.attach(socket)
    page.state.running = True
    page.timer.stop()  # the test takes the steps, as the timer would
    page.stream.begin()
    return page, socket


def step_and_paint(page, socket):
    page.timer._update()
    page.stream.stream.drawn(socket.written[-1]["seq"], socket)


def test_a_point_dragged_before_or_during_a_streamed_run_stays_where_it_was_dropped():
    page = LabPage(state=LabState(**lab_values()))
    page.plot._on_moved("moved", None, {"index": 0, "x0": 0.25, "x1": -0.75})
    socket = FakeSocket()
    page.stream.stream.attach(socket)
    page.state.running = True
    page.timer.stop()
    page.stream.begin()
    step_and_paint(page, socket)
    points = decoded(socket.written[0]["points"])
    assert (points["x0"][0], points["x1"][0]) == (0.25, -0.75)
    page.plot._on_moved("moved", None, {"index": 1, "x0": 0.5, "x1": 0.5})
    step_and_paint(page, socket)
    assert "points" not in socket.written[-1]  # the browser moved it itself
    page.state.running = False
    # The page's own points again, as the browser has them: both points where they were dropped.
    scene_points = page.plot.scene.points
    assert (scene_points["x0"][0], scene_points["x1"][0]) == (0.25, -0.75)
    assert (scene_points["x0"][1], scene_points["x1"][1]) == (0.5, 0.5)


def test_a_stream_opened_anew_during_a_run_goes_on_there():
    page, socket = streaming_page()
    step_and_paint(page, socket)
    # The page draws the stream's component anew: the old websocket closes, a new one opens.
    page.stream.stream.detach(socket)
    again = FakeSocket()
    page.stream.stream.attach(again)
    step_and_paint(page, again)
    assert page.state.streamed and len(again.written) == 1
    assert int(again.written[0]["texts"]["steps"]) == page.state.steps
    page.state.running = False


def test_a_run_goes_through_the_document_while_the_landscape_is_shown():
    from losslab.page import TABS

    def choose_way_as_served():
        page.timer._session_doc = lambda: object()
        try:
            page.timer._choose_way()
        finally:
            del page.timer._session_doc

    page, socket = streaming_page()
    step_and_paint(page, socket)
    page.tabs.active = TABS.index("Landscape")  # its path and marker follow every step
    choose_way_as_served()
    assert not page.stream.streaming and not page.state.streamed
    drawn, sent = [], page.frame.sent
    page.landscape.here.on_change("data", lambda attr, old, new: drawn.append(new["x"][0]))
    for _ in range(3):
        page.timer._update()
    assert len(socket.written) == 1 and page.frame.sent == sent + 3
    assert len(set(drawn)) == 3
    page.tabs.active = TABS.index("Points")
    choose_way_as_served()  # back on the stream
    assert page.stream.streaming and page.state.streamed
    step_and_paint(page, socket)
    assert len(socket.written) == 2
    page.state.running = False


def test_a_point_the_page_got_from_a_class_stream_can_be_dragged():
    page = LabPage(state=LabState(**lab_values()))
    state = page.state
    state.streamed = True  # a class's stream draws the page's picture
    X = np.vstack([state.X, [[0.1, 0.2]]])
    y = np.append(state.y, 1)
    state.take_quietly({"X": X, "y": y}, state.evaluation_at(state.W, state.b))
    n = len(X) - 1
    page.plot._on_moved("moved", None, {"index": n, "x0": 0.3, "x1": -0.4})
    assert tuple(state.X[n]) == (0.3, -0.4)
    state.streamed = False
    points = page.plot.scene.points
    assert len(points["label"]) == n + 1 and (points["x0"][n], points["x1"][n]) == (0.3, -0.4)
