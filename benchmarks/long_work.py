"""Does one student's long work stall another student's Run?

    python benchmarks/long_work.py [--work compare|landscape] [--steps 5000] [--points 2000]

Serves LossLab as the README says and opens two sessions with Bokeh's protocol client (as
benchmarks/classroom.py does). Session A presses Run and answers its frames as a browser does.
Session B, in a process of its own (so that its client's work does not slow A's client), does
the long work:

  compare     chooses 4 optimizers and STEPS steps in the Compare tab and presses Compare (the
              comparison runs in a job process, off the server's event loop);
  landscape   opens on a data set of POINTS points (from its address), shows the Landscape tab
              and presses Step 5 times a second, each Step drawing a new loss grid (on the loop:
              MAX_GRID_WORK bounds a grid's cost).

Prints A's updates per second before, during and after B's work, the ratio of "during" to
"before" (the reference, measured in the same run), and the load average.
"""

import argparse
import multiprocessing
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import load_average, machine, pull_signed_session, served  # noqa: E402
from classroom import find_models, receive_until_closed, register_app_models  # noqa: E402

BASELINE_S = 5.0
LANDSCAPE_S = 10.0
STEP_EVERY_S = 0.2


def runner(url, times, ready, stop):
    """Session A: Run, answering every frame as a browser does, until `stop`."""
    from bokeh.events import ButtonClick, DocumentReady

    session = pull_signed_session(url)
    run, frame = find_models(session.document)
    session.document.callbacks.send_event(DocumentReady())

    def on_sent(attr, old, new):
        times.append(time.monotonic())
        frame.drawn = new

    frame.on_change("sent", on_sent)
    loop = session._connection.io_loop
    session.document.callbacks.send_event(ButtonClick(run))
    ready.set()
    threading.Thread(target=lambda: (stop.wait(), loop.add_callback(session.close)),
                     daemon=True).start()
    loop.run_sync(lambda: receive_until_closed(session))


def find(doc, test):
    return next(model for model in doc.models if test(model))


def comparer(url, steps, go, marks, stop):
    """Session B: a Compare of 4 optimizers × `steps`; marks its start and end."""
    from bokeh.events import ButtonClick, DocumentReady

    session = pull_signed_session(url)
    doc = session.document
    doc.callbacks.send_event(DocumentReady())
    button = find(doc, lambda m: type(m).__name__ == "Button" and m.label == "Compare")
    choice = find(doc, lambda m: type(m).__name__ == "CheckboxGroup")
    count = find(doc, lambda m: getattr(m, "title", None) == "Steps")
    status = find(doc, lambda m: "compare-status" in (getattr(m, "css_classes", None) or []))
    loop = session._connection.io_loop

    def on_status(attr, old, new):
        if "Total loss after" in str(new) or "Stopped" in str(new):
            marks.setdefault("end", time.monotonic())
            marks.setdefault("status", str(new))
            stop.set()

    status.on_change("text", on_status)

    def start():
        choice.active = [choice.labels.index(label)  # the labels the page shows
                         for label in ("SGD", "Momentum", "RMSProp", "Adam")]
        count.value = steps

        def press():
            marks["start"] = time.monotonic()
            doc.callbacks.send_event(ButtonClick(button))
        loop.call_later(0.5, press)

    threading.Thread(target=lambda: (go.wait(), loop.add_callback(start)), daemon=True).start()
    threading.Thread(target=lambda: (stop.wait(), loop.add_callback(session.close)),
                     daemon=True).start()
    loop.run_sync(lambda: receive_until_closed(session))


def lab_query(points, seed=1):
    """An address query of `points` points of short coordinates."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (points, 2)).round(2)
    return ("?X=" + ",".join(f"{v:g}" for v in X.ravel())
            + "&y=" + ",".join(str(k) for k in rng.integers(0, 3, points)))


def stepper(url, points, go, marks, stop):
    """Session B: the Landscape tab of `points` points shown, Step pressed 5 times a second."""
    from bokeh.events import ButtonClick, DocumentReady

    session = pull_signed_session(url + lab_query(points))
    doc = session.document
    doc.callbacks.send_event(DocumentReady())
    step = find(doc, lambda m: type(m).__name__ == "Button" and m.label == "Step")
    tabs = find(doc, lambda m: type(m).__name__ == "Tabs" and any(
        getattr(t, "title", "") == "Landscape" for t in m.tabs))
    loop = session._connection.io_loop

    def start():
        tabs.active = [t.title for t in tabs.tabs].index("Landscape")
        marks["start"] = time.monotonic() + 1.0

        def press():
            if time.monotonic() - marks["start"] > LANDSCAPE_S:
                marks["end"] = time.monotonic()
                stop.set()
                return
            doc.callbacks.send_event(ButtonClick(step))
            loop.call_later(STEP_EVERY_S, press)
        loop.call_later(1.0, press)

    threading.Thread(target=lambda: (go.wait(), loop.add_callback(start)), daemon=True).start()
    threading.Thread(target=lambda: (stop.wait(), loop.add_callback(session.close)),
                     daemon=True).start()
    loop.run_sync(lambda: receive_until_closed(session))


def rate(times, start, end):
    return sum(start <= t < end for t in times) / max(end - start, 1e-9)


def work_process(work, url, args, go, marks, stop):
    """Session B's process: the long work, its start and end put in `marks` (a shared dict)."""
    register_app_models()
    if work == "compare":
        comparer(url, args.steps, go, marks, stop)
    else:
        stepper(url, args.points, go, marks, stop)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", choices=["compare", "landscape"], default="compare")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--points", type=int, default=2000)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with served() as (server, url), context.Manager() as manager:
        marks = manager.dict()
        go, stop = context.Event(), context.Event()
        b = context.Process(target=work_process, args=(args.work, url, args, go, marks, stop),
                            daemon=True)
        b.start()
        register_app_models()
        times = []
        ready, done = threading.Event(), threading.Event()
        a = threading.Thread(target=runner, args=(url, times, ready, done), daemon=True)
        a.start()
        ready.wait(60)
        time.sleep(3 + BASELINE_S)  # warm up, then the baseline
        go.set()
        if not stop.wait(180):
            print("the work did not end within 180 s")
        time.sleep(BASELINE_S)
        done.set()
        end = time.monotonic()
        start, finish = marks["start"], marks.get("end", end)
        before, during, after = (rate(times, start - BASELINE_S, start),
                                 rate(times, start, finish), rate(times, finish, end))
        what = (f"Compare of 4 optimizers × {args.steps} steps" if args.work == "compare" else
                f"Step 5×/s with the Landscape tab shown, {args.points} points")
        print(f"{machine()}; load average {load_average()}")
        print(f"B: {what}: {finish - start:.1f} s" +
              (f" ({marks.get('status', '')[:60]}…)" if args.work == "compare" else ""))
        print(f"A's updates per second: before {before:.1f}, during {during:.1f}, "
              f"after {after:.1f}; during / before = {during / max(before, 1e-9):.2f}")
        a.join(10)
        b.join(10)


if __name__ == "__main__":
    main()
