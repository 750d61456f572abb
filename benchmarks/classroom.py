"""Classroom load: the server's CPU per update as a ratio to the protocol's floor, and K
students' labs running at once on one server.

    python benchmarks/classroom.py [--sessions 40] [--seconds 60] [--num-procs 1 2]
                                   [--client-procs 2] [--rounds 1] [--pinned-sessions 10]
                                   [--part pinned|shared|both]

First part (pinned): the server on core 0 (`taskset -c 0 losslab …`), `--pinned-sessions`
protocol clients (below) on core 1, so that the clients' own work does not share the server's
core. Measured one after the other in the same run: the protocol's floor (benchmarks/_floor.py,
a bare Bokeh server document that replaces one ColumnDataSource of as many bytes as LossLab's
update per message, paced the same way) and LossLab. Printed: each server's CPU time per update
(from /proc), LossLab's as a multiple of the floor's (target ≤ 2×), and the sessions one core
carries at 8 updates per second each (1000 ms ÷ CPU ms per update ÷ 8).

Second part (shared), as a classroom on this one machine would have it:
for each `--num-procs` value, serves LossLab with `losslab --port P --no-show --num-procs N
--session-timeout 5` (the short timeout only makes the memory-after figure come sooner) and
opens K sessions with Bokeh's own protocol client (a `bokeh.client` session on the id and token
of a served page, `_harness.pull_signed_session`: the websocket and
messages a browser uses, without a browser), spread over `--client-procs` processes with one
thread per session. Each session

  - reports the document rendered (the `DocumentReady` event BokehJS sends once a page has
    rendered it; until then Panel does not send the session's changes);
  - finds its Run button in the pulled document (a Bokeh `Button` labelled "Run") and presses it
    by sending the click as a browser does: `document.callbacks.send_event(ButtonClick(button))`
    makes the Bokeh event a `MessageSent` document change, which the client session sends to the
    server in a PATCH-DOC message; the server hands it to the button's click handler;
  - opens the page's picture stream (losslab.transport.picture_stream, whose key the page's
    PictureStream component holds) before pressing Run, as the page does when it opens: a Run
    then goes there, one picture per update, and the client reports each painted at once (a
    browser does so after painting); without that answer the server would step once a second;
  - answers the Run pacing of the document too, for a page whose stream is not open (and the
    floor): the page's frame (losslab.transport.frame Frame, a Bokeh DataModel) has `sent`
    raised by the server with each update, and the client sets `drawn` to it at once;
  - counts the updates it receives (pictures, and changes of `sent`).

Printed per run, over a `--seconds` window that starts 5 s after every session has pressed Run:
updates received per second per session (min, median, max), the server's CPU use (all of its
processes, from /proc) and CPU time per update, the server's memory (proportional set size, so
pages shared by forked workers count once) at baseline (after one session was opened and released),
with all K sessions running (and per session), and after all sessions closed and were released
(with the sessions and LabState objects the server still holds, from its diagnostics route).
The clients' own CPU use is printed too: they share this machine's cores with the server.

Targets: server CPU per update ≤ 2× the floor; K = 40 sessions at ≥ 8 updates per second each
on two cores, clients included, or, where the clients' own cost makes that impossible on one
machine, the capacity per core derived from the pinned figures; ≤ 15 MB server memory per
session.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floor import columns_matching, serve_floor  # noqa: E402
from _harness import (  # noqa: E402
    connections_per_process, cpu_seconds, free_port, load_average, machine, memory_bytes,
    process_tree, pull_signed_session, served)

TARGET_RATE = 8.0
TARGET_RATIO = 2.0
TARGET_MB_PER_SESSION = 15.0
SESSION_TIMEOUT_S = 5
WARMUP_S = 5.0


# -- one client process -------------------------------------------------------------------------

def register_app_models():
    """Define, in this process, the Bokeh model types a LossLab document holds (Panel's and the
    app's components), so that a pulled document can be read."""
    import panel as pn
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from losslab.page import LabPage

    pn.extension("katex")
    doc = Document()
    with set_curdoc(doc):
        LabPage().layout.server_doc(doc)
    take_every_change()


def take_every_change():
    """Let this process's copies of the lab's one-way models take what the server sends.

    A pulled document is read with the app's own Python classes, and a `OneWay` model (the
    frame, the scene) takes from its other end only the browser's reports: in a client, that
    other end is the server, whose every update it would drop."""
    from losslab.transport.wire import OneWay

    def set_from_json(self, name, value, *, setter=None):
        return super(OneWay, self).set_from_json(name, value, setter=setter)

    OneWay.set_from_json = set_from_json


def find_models(document):
    """(the Run button, the frame) of a pulled LossLab document; (None, its pacing counters) of
    the floor's."""
    run = frame = None
    for model in document.models:
        if type(model).__name__ == "FloorPace":
            return None, model
        if type(model).__name__ == "Button" and model.label == "Run":
            run = model
        elif type(model).__name__ == "Frame" and "drawn" in model.properties():
            frame = model
    if run is None or frame is None:
        raise RuntimeError("the pulled document has no Run button or no frame")
    return run, frame


def stream_key(document):
    """The key of the page's picture stream (losslab.views.lab_picture.PictureStream), "" where
    there is none (the floor's document)."""
    for model in list(document.models):
        key = getattr(model, "key", None) if "ignore_through" in model.properties() else None
        if isinstance(key, str) and key:
            return key
    return ""


async def read_stream(url, key, times, tries=32):
    """Read the page's stream as a browser does: each picture noted as an update and reported
    painted at once. With `--num-procs`, a stream opened on a process that does not hold the page
    is refused, and opened again."""
    from tornado.websocket import websocket_connect

    address = url.replace("http://", "ws://").rstrip("/") + f"/picture-stream?key={key}"
    for _ in range(tries):
        socket = await websocket_connect(address)
        with contextlib.suppress(AttributeError):  # as a browser's websocket has it
            socket.stream.set_nodelay(True)
        text = await socket.read_message()
        while text is not None:
            times.append(time.monotonic())
            seq = json.loads(text[:text.index(",")] + "}")["seq"]
            await socket.write_message(json.dumps({"drawn": seq}))
            text = await socket.read_message()
        if socket.close_code != 4404:
            return


def without_nagle(session):
    """Nagle's algorithm off on a client's socket, as a browser's websocket has it (without this
    the client's delayed acknowledgements, not the server, set the pace)."""
    with contextlib.suppress(AttributeError):
        session._connection._socket._socket.stream.set_nodelay(True)


PULLS_AT_ONCE = 4
"""Sessions a client process opens at a time: forty documents pulled at once, on the two cores
the server shares, timed some of them out before the server had built them."""

_pulls = threading.BoundedSemaphore(PULLS_AT_ONCE)


def student(url, go, stop, times, ready):
    """One session: pull, press Run when `go` is set, answer every frame, until `stop`."""
    from bokeh.events import ButtonClick, DocumentReady

    with _pulls:
        session = pull_signed_session(url)
    without_nagle(session)
    run, frame = find_models(session.document)
    # A page reports that it has rendered the document; until then Panel holds back (and drops)
    # the session's updates, as the full document will be sent anyway.
    session.document.callbacks.send_event(DocumentReady())

    def on_sent(attr, old, new):
        times.append(time.monotonic())
        frame.drawn = new  # as the page reports after painting: sent back to the server

    frame.on_change("sent", on_sent)
    loop = session._connection.io_loop
    # The page's stream, which a Run goes on where the server offers it (the `losslab` command's
    # does), opened as the page opens it, with the page.
    key = stream_key(session.document)
    if key:
        loop.add_callback(read_stream, url, key, times)
        time.sleep(0.5)
    ready.release()
    go.wait()
    if run is None:
        loop.add_callback(lambda: setattr(frame, "drawn", -1))  # the floor starts on a report
    else:
        session.document.callbacks.send_event(ButtonClick(run))

    def close_when_stopped():
        stop.wait()
        loop.add_callback(session.close)

    threading.Thread(target=close_when_stopped, daemon=True).start()
    loop.run_sync(lambda: receive_until_closed(session))


async def receive_until_closed(session):
    """Apply the server's messages to the session's document (running the callbacks above) until
    the connection closes.

    This is what `ClientConnection.loop_until_closed` does, but in a loop: Bokeh's own message
    handler awaits itself once per message, so a session of thousands of messages would build an
    ever deeper chain of coroutines (slower with every message, then a RecursionError).
    """
    connection = session._connection
    while True:
        message = await connection._pop_message()
        if message is None:
            return
        if message.msgtype == "PATCH-DOC":
            session._handle_patch(message)


def client_process(url, count, go, stop, ready, results, core=None):
    """`count` sessions, one thread each; puts (list of update times per session, CPU seconds).
    Forked from the main process, which has registered the app's model types. On CPU `core` if
    given."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    local_ready = threading.Semaphore(0)
    times = [[] for _ in range(count)]
    threads = [threading.Thread(target=student, args=(url, go, stop, times[i], local_ready),
                                daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for _ in range(count):
        local_ready.acquire()
        ready.release()
    go.wait()
    cpu_at_go = time.process_time()
    for thread in threads:
        thread.join()
    results.put((times, time.process_time() - cpu_at_go))


# -- the server ---------------------------------------------------------------------------------

def diagnostics(url, processes):
    """What the server processes hold ({pid: {sessions, lab_states, ...}}), asking until each of
    `processes` answered or 50 requests were made (the kernel hands each request to one worker,
    not necessarily in turn)."""
    seen = {}
    for _ in range(50):
        with urllib.request.urlopen(url + "diagnostics", timeout=5) as response:
            answer = json.load(response)
        seen[answer["pid"]] = answer
        if len(seen) >= processes:
            break
    return seen


def server_memory(pid):
    """(PSS, RSS) of the server: all its processes."""
    pss = rss = 0
    for process in process_tree(pid):
        r, p = memory_bytes(process)
        rss, pss = rss + r, pss + p
    return pss, rss


def server_cpu(pid):
    return sum(cpu_seconds(process) for process in process_tree(pid))


def measured_window(server_pid, sessions, seconds, go, ready):
    """Wait until all `sessions` are open, press Run in each (`go`), let them warm up, and measure
    for `seconds`; returns (start, cpu_start) of the window (the caller reads its end)."""
    for _ in range(sessions):
        if not ready.acquire(timeout=300):
            raise RuntimeError("the sessions were not all opened within 5 minutes")
    go.set()
    time.sleep(WARMUP_S)
    start, cpu_start = time.monotonic(), server_cpu(server_pid)
    time.sleep(seconds)
    return start, cpu_start


def one_round(server, url, sessions, seconds, workers, client_procs):
    """Open the sessions, press Run in each, measure, close them all and wait until the server has
    released them. Returns the figures as a dict."""
    context = multiprocessing.get_context("fork")
    go, stop = context.Event(), context.Event()
    ready, results = context.Semaphore(0), context.Queue()
    shares = [sessions // client_procs + (i < sessions % client_procs)
              for i in range(client_procs)]
    clients = [context.Process(target=client_process, args=(url, share, go, stop, ready, results))
               for share in shares if share]
    for client in clients:
        client.start()
    start, cpu_start = measured_window(server.pid, sessions, seconds, go, ready)
    end, cpu_end = time.monotonic(), server_cpu(server.pid)
    running_pss, running_rss = server_memory(server.pid)
    load = load_average()
    spread = connections_per_process(process_tree(server.pid), urlparse(url).port)
    stop.set()
    per_session, client_cpu = [], 0.0
    for _ in clients:
        times, cpu = results.get(timeout=120)
        client_cpu += cpu
        per_session += [sum(start <= t < end for t in ts) / (end - start) for ts in times]
    for client in clients:
        client.join(timeout=30)
    time.sleep(SESSION_TIMEOUT_S + 5)
    after_pss, after_rss = server_memory(server.pid)
    return dict(per_session=per_session, window=end - start, server_cpu=cpu_end - cpu_start,
                client_cpu=client_cpu, running=(running_pss, running_rss), load=load,
                after=(after_pss, after_rss), spread=spread, held=diagnostics(url, workers))


def one_run(sessions, seconds, num_procs, client_procs, rounds):
    mb = 2**20
    os.environ["LOSSLAB_DIAGNOSTICS"] = "1"
    try:
        with served("--num-procs", str(num_procs), "--session-timeout", str(SESSION_TIMEOUT_S)) \
                as (server, url):
            workers = num_procs if num_procs > 1 else 1
            # Baseline: after a few sessions (the first loads what every session uses) were
            # opened and released, in every server process.
            for _ in range(workers * 2):
                pull_signed_session(url).close()
            time.sleep(SESSION_TIMEOUT_S + 3)
            base_pss, base_rss = server_memory(server.pid)
            results = [one_round(server, url, sessions, seconds, workers, client_procs)
                       for _ in range(rounds)]
    finally:
        del os.environ["LOSSLAB_DIAGNOSTICS"]

    for number, r in enumerate(results, 1):
        per_session, window = r["per_session"], r["window"]
        updates = sum(per_session) * window
        title = f", round {number} of {rounds}" if rounds > 1 else ""
        print(f"\n--num-procs {num_procs}{title}: {sessions} sessions for {seconds:.0f} s "
              f"(load average at the end of the window: {r['load']})")
        met = min(per_session) >= TARGET_RATE
        print(f"  updates per second per session: min {min(per_session):.1f}, "
              f"median {statistics.median(per_session):.1f}, max {max(per_session):.1f}; "
              f"sessions ≥ {TARGET_RATE:g}/s: {sum(x >= TARGET_RATE for x in per_session)} of "
              f"{sessions} (target: all — {'met' if met else 'NOT met'})")
        spread = ", ".join(str(count) for count in r["spread"].values() if count)
        print(f"  all sessions together: {updates / window:.0f} updates per second; "
              f"open websockets per server process: {spread}")
        print(f"  server CPU: {100 * r['server_cpu'] / window:.0f}% of one core "
              f"({workers} process{'es' if workers > 1 else ''}), "
              f"{1e3 * r['server_cpu'] / max(updates, 1):.2f} ms per update; "
              f"clients' CPU: {100 * r['client_cpu'] / (window + WARMUP_S):.0f}% of one core")
        (running_pss, running_rss), (after_pss, after_rss) = r["running"], r["after"]
        per_session_mb = (running_pss - base_pss) / mb / sessions
        print(f"  server memory (PSS): baseline {base_pss / mb:.0f} MB, running "
              f"{running_pss / mb:.0f} MB → {per_session_mb:.1f} MB per session "
              f"(target ≤ {TARGET_MB_PER_SESSION:g}: "
              f"{'met' if per_session_mb <= TARGET_MB_PER_SESSION else 'NOT met'}); "
              f"after all closed {after_pss / mb:.0f} MB ({(after_pss - base_pss) / mb:+.0f} MB "
              f"from baseline)")
        print(f"  (RSS, counting pages shared by workers in each: baseline {base_rss / mb:.0f} MB,"
              f" running {running_rss / mb:.0f} MB, after {after_rss / mb:.0f} MB)")
        held = "; ".join(f"pid {pid}: {d['sessions']} sessions, {d['lab_states']} LabStates, "
                         f"{d['session_timers']} session timers"
                         for pid, d in r["held"].items())
        print(f"  held after all closed ({len(r['held'])} of {workers} processes answered): "
              f"{held}")


# -- the pinned comparison: server on core 0, clients on core 1 ----------------------------------

def lab_message_bytes():
    """Bytes of LossLab's update during a Run at N = 9 on the page's stream (in-process, as the
    server makes it)."""
    import statistics as stats

    from step_latency import streamed_page, streamed_step
    from panel.io.state import set_curdoc

    doc, page, socket = streamed_page(9)
    with set_curdoc(doc):
        for _ in range(20):
            streamed_step(doc, page, socket)
    return stats.median(socket.sizes[-20:])


def pinned_measure(server_pid, url, sessions, seconds):
    """(server CPU ms per update, updates per second in all, clients' CPU share of core 1) with
    `sessions` clients on core 1."""
    context = multiprocessing.get_context("fork")
    go, stop = context.Event(), context.Event()
    ready, results = context.Semaphore(0), context.Queue()
    client = context.Process(target=client_process,
                             args=(url, sessions, go, stop, ready, results, 1))
    client.start()
    start, cpu_start = measured_window(server_pid, sessions, seconds, go, ready)
    end, cpu_end = time.monotonic(), server_cpu(server_pid)
    stop.set()
    times, client_cpu = results.get(timeout=120)
    client.join(timeout=30)
    updates = sum(sum(start <= t < end for t in ts) for ts in times)
    return (1e3 * (cpu_end - cpu_start) / max(updates, 1), updates / (end - start),
            client_cpu / (end - start + WARMUP_S))


def pinned_run(sessions, seconds):
    """The floor, then LossLab, each served on core 0 with `sessions` clients on core 1."""
    target = lab_message_bytes()
    columns = columns_matching(9, target)
    port = free_port()
    context = multiprocessing.get_context("fork")
    floor = context.Process(target=serve_floor, args=(port, 9, columns, 0), daemon=True)
    floor.start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    try:
        floor_ms, floor_rate, floor_clients = pinned_measure(floor.pid, url, sessions, seconds)
    finally:
        floor.terminate()
        floor.join(10)
    load_floor = load_average()
    with served(prefix=("taskset", "-c", "0")) as (server, lab_url):
        lab_ms, lab_rate, lab_clients = pinned_measure(server.pid, lab_url, sessions, seconds)
    ratio = lab_ms / floor_ms
    print(f"\nServer on core 0, {sessions} protocol clients on core 1, {seconds:.0f} s each "
          f"(message of an update: {target:.0f} bytes; the floor's source has {columns} columns "
          f"of 9 rows to match):")
    print(f"  protocol floor: {floor_ms:.2f} ms of server CPU per update ({floor_rate:.0f} updates/s "
          f"in all; clients {100 * floor_clients:.0f}% of core 1; load {load_floor})")
    print(f"  LossLab:        {lab_ms:.2f} ms of server CPU per update ({lab_rate:.0f} updates/s "
          f"in all; clients {100 * lab_clients:.0f}% of core 1; load {load_average()})")
    print(f"  LossLab ÷ floor: {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    print(f"  capacity: one core carries {1000 / lab_ms / TARGET_RATE:.0f} sessions at "
          f"{TARGET_RATE:g} updates/s (the floor: {1000 / floor_ms / TARGET_RATE:.0f}); "
          f"`--num-procs 2` on two cores, about {2 * 1000 / lab_ms / TARGET_RATE:.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40, help="concurrent sessions K")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window")
    parser.add_argument("--num-procs", type=int, nargs="+", default=[1, 2],
                        help="server processes, one run each")
    parser.add_argument("--client-procs", type=int, default=2,
                        help="processes the protocol clients are spread over")
    parser.add_argument("--rounds", type=int, default=1,
                        help="open, run and close the K sessions this many times on one server "
                             "(memory that keeps growing round after round is a leak; memory "
                             "kept once and reused is not)")
    parser.add_argument("--pinned-sessions", type=int, default=10,
                        help="clients of the pinned comparison with the floor")
    parser.add_argument("--part", choices=("pinned", "shared", "both"), default="both")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start: {load_average()}")
    register_app_models()
    if args.part in ("pinned", "both"):
        pinned_run(args.pinned_sessions, min(args.seconds, 30.0))
    if args.part in ("shared", "both"):
        for num_procs in args.num_procs:
            one_run(args.sessions, args.seconds, num_procs, args.client_procs, args.rounds)


if __name__ == "__main__":
    main()
