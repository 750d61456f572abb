"""Class fan-out: one teacher running, K students following, on one server process.

    python benchmarks/class_fanout.py [--followers 10 40 80] [--seconds 30] [--client-procs 2]

Serves LossLab (`losslab --port P --no-show`) and opens every session with Bokeh's own protocol
client, as benchmarks/classroom.py does (pulled documents, pacing answered at once as a browser
does after painting):

  1. the reference: one ordinary lab pressing Run alone, for the server's CPU time per update;
  2. for each K: a teacher session (`/?class=new`) reads its class code off its page, K student
     sessions open `/?class=CODE` (one at a time in each client process: each page costs the
     server about a second, and 40 asked for at once outwait the client's connection timeout),
     and the teacher presses Run.

Printed for each K: the updates per second each follower receives (min, median), the server's
CPU time per follower update (the teacher's own updates taken off at the reference's cost) as a
ratio to one ordinary session's update, and the delay from the teacher's page to a follower's
page for the same step (median, p95; both clients on this machine's clock).

Target: K = 40, every follower ≥ 10 updates per second.
"""

import argparse
import json
import multiprocessing
import re
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import load_average, machine, pull_signed_session, served  # noqa: E402
from classroom import receive_until_closed, register_app_models, server_cpu  # noqa: E402

TARGET_RATE = 10.0
WARMUP_S = 3.0


def pulled(url, arguments=None):
    """A pulled LossLab session that has reported itself rendered: (session, run button, frame)."""
    from bokeh.events import DocumentReady

    query = "?" + urllib.parse.urlencode(arguments) if arguments else ""
    session = pull_signed_session(url + query)
    run = frame = None
    for model in session.document.models:
        if type(model).__name__ == "Button" and model.label == "Run":
            run = model
        elif type(model).__name__ == "Frame" and "drawn" in model.properties():
            frame = model
    session.document.callbacks.send_event(DocumentReady())
    return session, run, frame


def stream_key(session):
    """The key of the class's stream on a student's page, once it follows ("" if none)."""
    for model in list(session.document.models):
        key = getattr(model, "key", None) if "scene" in model.properties() else None
        if isinstance(key, str) and key:
            return key
    return ""


async def read_stream(url, key, seen):
    """Read the class's stream as a browser does: each picture noted (time, step count) and
    reported painted at once."""
    from tornado.websocket import websocket_connect

    address = url.replace("http://", "ws://").rstrip("/") + f"/picture-stream?key={key}"
    socket = await websocket_connect(address)
    while True:
        text = await socket.read_message()
        if text is None:
            return
        picture = json.loads(text)
        seen.append((time.time(), picture["texts"].get("steps")))
        await socket.write_message(json.dumps({"drawn": picture["seq"]}))


def watch(session, frame, seen, stop, url=None):
    """Answer the frame as a browser does, noting (time, step count) of each update; return when
    `stop` is set. With `url`, a student's page: it also reads its class's stream once the page
    shows a key for it, and the pictures on the stream are the updates noted."""
    streamed = []

    def on_sent(attr, old, new):
        if not streamed:
            seen.append((time.time(), frame.texts.get("steps")))
        frame.drawn = new

    frame.on_change("sent", on_sent)
    loop = session._connection.io_loop
    if url is not None:
        def open_stream():
            key = stream_key(session)
            if not key:
                loop.call_later(0.05, open_stream)
                return
            streamed.append(key)
            loop.add_callback(read_stream, url, key, seen)
        loop.add_callback(open_stream)

    def close_when_stopped():
        stop.wait()
        loop.add_callback(session.close)

    threading.Thread(target=close_when_stopped, daemon=True).start()
    loop.run_sync(lambda: receive_until_closed(session))


def follower(url, code, stop, ready, results, joining):
    with joining:  # one student of this client process joins at a time, as a class trickles in
        session, _, frame = pulled(url, {"class": code})
    seen = []
    ready.release()
    watch(session, frame, seen, stop, url)
    results.put(seen)


def followers_process(url, code, count, stop, ready, results):
    joining = threading.Lock()
    threads = [threading.Thread(target=follower, args=(url, code, stop, ready, results, joining),
                                daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def class_code(session, timeout_s=30):
    """The code the teacher's page shows, once its class has started."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for model in list(session.document.models):
            text = getattr(model, "text", None)
            if isinstance(text, str) and "Teaching class" in text:
                return re.search(r"Teaching class ([A-Z0-9]{6})", text).group(1)
        time.sleep(0.1)
    raise RuntimeError("the teacher's page did not show a class code")


def run_teacher(url, arguments, before_run=None):
    """Open a session (`before_run` may act on it first), press Run and let it warm up; returns
    (the session, the event that ends it, its (time, step count) list, its thread)."""
    from bokeh.events import ButtonClick

    session, run, frame = pulled(url, arguments)
    stop, seen = threading.Event(), []
    thread = threading.Thread(target=watch, args=(session, frame, seen, stop), daemon=True)
    thread.start()
    if before_run is not None:
        before_run(session)
    session.document.callbacks.send_event(ButtonClick(run))
    time.sleep(WARMUP_S)
    return session, stop, seen, thread


def measure(server, seconds):
    start, cpu = time.time(), server_cpu(server.pid)
    time.sleep(seconds)
    return start, time.time(), server_cpu(server.pid) - cpu


def in_window(seen, start, end):
    return [entry for entry in seen if start <= entry[0] < end]


def reference(server, url, seconds):
    session, stop, seen, thread = run_teacher(url, {})
    start, end, cpu = measure(server, seconds)
    stop.set()
    thread.join(timeout=30)
    updates = len(in_window(seen, start, end))
    return cpu / max(updates, 1), updates / (end - start)


def fan_out(server, url, count, seconds, client_procs, ordinary_cpu):
    context = multiprocessing.get_context("fork")
    stop, ready, results = context.Event(), context.Semaphore(0), context.Queue()
    codes = []

    def invite(session):
        code = class_code(session)
        codes.append(code)
        shares = [count // client_procs + (i < count % client_procs) for i in range(client_procs)]
        clients = [context.Process(target=followers_process,
                                   args=(url, code, share, stop, ready, results))
                   for share in shares if share]
        for client in clients:
            client.start()
        for _ in range(count):
            if not ready.acquire(timeout=300):
                raise RuntimeError("the followers were not all connected within 5 minutes")
        invite.clients = clients

    session, teacher_stop, teacher_seen, thread = run_teacher(url, {"class": "new"}, invite)
    start, end, cpu = measure(server, seconds)
    stop.set()
    teacher_stop.set()
    followers = [results.get(timeout=120) for _ in range(count)]
    for client in invite.clients:
        client.join(timeout=30)
    thread.join(timeout=30)
    window = end - start
    rates = [len(in_window(seen, start, end)) / window for seen in followers]
    teacher_updates = len(in_window(teacher_seen, start, end))
    follower_updates = sum(rates) * window
    per_update = (cpu - teacher_updates * ordinary_cpu) / max(follower_updates, 1)
    shown_at = {steps: t for t, steps in teacher_seen if steps is not None}
    delays = sorted(t - shown_at[steps] for seen in followers
                    for t, steps in in_window(seen, start, end) if steps in shown_at)
    return dict(rates=rates, per_update=per_update, delays=delays, cpu=cpu, window=window,
                teacher_rate=teacher_updates / window)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, nargs="+", default=[10, 40, 80])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window")
    parser.add_argument("--client-procs", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start: {load_average()}")
    register_app_models()
    with served() as (server, url):
        ordinary_cpu, ordinary_rate = reference(server, url, args.seconds)
        print(f"reference: one ordinary lab running alone: {ordinary_rate:.1f} updates/s, "
              f"{1e3 * ordinary_cpu:.2f} ms server CPU per update")
        for count in args.followers:
            r = fan_out(server, url, count, args.seconds, args.client_procs, ordinary_cpu)
            rates, delays = r["rates"], r["delays"]
            met = min(rates) >= TARGET_RATE
            p95 = delays[int(0.95 * (len(delays) - 1))] if delays else float("nan")
            median = statistics.median(delays) if delays else float("nan")
            print(f"\nK = {count} followers (load average: {load_average()}): teacher "
                  f"{r['teacher_rate']:.1f} updates/s")
            print(f"  updates per second per follower: min {min(rates):.1f}, median "
                  f"{statistics.median(rates):.1f}; ≥ {TARGET_RATE:g}/s: "
                  f"{sum(x >= TARGET_RATE for x in rates)} of {count}"
                  + (f" (target at K = 40: {'met' if met else 'NOT met'})" if count == 40 else ""))
            print(f"  server CPU {100 * r['cpu'] / r['window']:.0f}% of one core; per follower "
                  f"update {1e3 * r['per_update']:.2f} ms = "
                  f"{r['per_update'] / ordinary_cpu:.2f}× one ordinary session's update")
            print(f"  teacher → follower delay: median {1e3 * median:.0f} ms, p95 "
                  f"{1e3 * p95:.0f} ms")


if __name__ == "__main__":
    main()
