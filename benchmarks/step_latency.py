"""Server-side cost of one update: a step of the optimizer and everything the page redraws for it.

    python benchmarks/step_latency.py [--repeats 500]

Builds one session's page (`losslab.page.LabPage`) inside a Bokeh Document, as the server does for
each browser tab, and times

    losslab.transport.wire.held(page.training.step)

— the step, every view that follows the state (plot sources, readouts, sliders, history, ...) and
Panel's collection of the resulting model changes — `--repeats` times, during a Run (state.running
true: views that throttle themselves while running do so) and for a single Step (not running).
Each line gives the median and the 95th percentile, at N = 9 points (the default data) and at
N = 2000 (the most a data set may hold, random points in the view box), with the Points tab shown
(the default) and with the Landscape tab shown.

The "+message" columns add what the server then does with the collected changes before it writes
them to the websocket: it turns them into one PATCH-DOC message (Bokeh's serializer, the same call
as `bokeh.server.connection.ServerConnection.send_patch_document`). "msg bytes" is that message's
size in bytes (header, metadata, content and binary buffers), a cross-check of
benchmarks/payload.py.

Targets (median of the step column): ≤ 3 ms at N = 9, ≤ 20 ms at N = 2000.

With `--profile`, it then profiles (cProfile) the N = 9 Points/Run case and prints the app's and
core's functions by the time spent in them (inclusive) per update, and the slowest library
functions by their own time: where the milliseconds go. Profiling slows everything about
twofold; compare the shares, not the absolute numbers, with the table.

No server and no browser are involved: this is the work one session's update costs the server's
single Python thread, which all sessions of a process share.
"""

import argparse
import cProfile
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pstats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import panel as pn  # noqa: E402
from bokeh.document import Document  # noqa: E402
from bokeh.protocol import Protocol  # noqa: E402
from panel.io.state import set_curdoc  # noqa: E402

from losslab.page import TABS, LabPage  # noqa: E402
from losslab.session.state import MAX_POINTS  # noqa: E402
from losslab.transport.wire import held  # noqa: E402

TARGET_MS = {9: 3.0, MAX_POINTS: 20.0}
PROTOCOL = Protocol()


def build_page():
    """A LabPage whose layout is a root of a Bokeh Document, as a served session has it.

    `server_doc` adds the layout's root model to the document, as Panel's server does; without
    that (`get_root` alone) the models' changes never reach the document and nothing would be
    collected to send.
    """
    pn.extension()
    doc = Document()
    with set_curdoc(doc):
        page = LabPage()
        page.layout.server_doc(doc)
    return doc, page


def random_points(state, n, seed=1):
    rng = np.random.default_rng(seed)
    xmin, xmax, ymin, ymax = state.box
    X = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    y = rng.integers(0, 3, n)
    return X, y


def message_bytes(msg):
    """Bytes of a Bokeh protocol message as it goes on the websocket (one frame per part)."""
    size = len(msg.header_json) + len(msg.metadata_json) + len(msg.content_json)
    for buffer in msg.buffers:
        size += len(json.dumps(buffer.ref)) + len(buffer.to_bytes())
    return size


def held_step(doc, training):
    """One update step as the page takes it (`losslab.transport.wire.held`); returns the changes
    it made, combined per property, as collected for the message."""
    events = []

    def step_and_collect():
        training.step()
        events.extend(doc.callbacks._held_events)  # still inside the hold

    held(step_and_collect)
    return events


def time_steps(doc, page, repeats, running):
    """(step times, step + message times, message sizes) of `repeats` updates, in seconds/bytes."""
    state = page.state
    with set_curdoc(doc):
        with pn.io.hold(doc):
            state.running = running
        # Setting `running` started the session's Run timer too (and maybe took a step); stop
        # the timer: here the loop below takes the steps, as fast as it can.
        page.timer.stop()
    step_s, total_s, sizes = [], [], []
    with set_curdoc(doc):
        for _ in range(10):  # warm-up
            held(page.training.step)
        for _ in range(repeats):
            start = time.perf_counter()
            events = held_step(doc, page.training)
            stepped = time.perf_counter()
            patches = [e for e in events if hasattr(e, "to_serializable")]
            msg = PROTOCOL.create("PATCH-DOC", patches) if patches else None
            size = message_bytes(msg) if msg is not None else 0
            done = time.perf_counter()
            step_s.append(stepped - start)
            total_s.append(done - start)
            sizes.append(size)
        with pn.io.hold(doc):
            state.param.update(running=False, steps=0)
        page.timer.stop()
    return step_s, total_s, sizes


def profile(repeats):
    """Print where the time of `repeats` updates at N = 9 (Points tab, running) goes."""
    doc, page = build_page()
    with set_curdoc(doc):
        with pn.io.hold(doc):
            page.state.running = True
        page.timer.stop()
        for _ in range(10):
            held(page.training.step)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            events = held_step(doc, page.training)
            PROTOCOL.create("PATCH-DOC", [e for e in events if hasattr(e, "to_serializable")])
        profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    root = str(Path(__file__).resolve().parent.parent)
    rows = []
    for (filename, line, name), (_, _, own, inclusive, _) in stats.stats.items():
        rows.append((filename, line, name, own, inclusive))
    print(f"\nprofile of {repeats} updates at N = 9 (Points tab, running): "
          f"{total / repeats * 1e3:.2f} ms per update under the profiler")
    print("app and core functions, inclusive time per update (share of the update):")
    ours = sorted((r for r in rows if r[0].startswith(root)), key=lambda r: -r[4])
    for filename, line, name, _, inclusive in ours[:20]:
        where = f"{Path(filename).relative_to(root)}:{line} {name}"
        print(f"  {inclusive / repeats * 1e3:6.3f} ms {100 * inclusive / total:5.1f}%  {where}")
    print("library functions, own time per update:")
    theirs = sorted((r for r in rows if not r[0].startswith(root)), key=lambda r: -r[3])
    for filename, line, name, own, _ in theirs[:12]:
        short = filename.split("site-packages/")[-1]
        print(f"  {own / repeats * 1e3:6.3f} ms {100 * own / total:5.1f}%  {short}:{line} {name}")


def p95(values):
    return float(np.percentile(values, 95))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=500, help="timed updates per line (≥ 500)")
    parser.add_argument("--profile", action="store_true",
                        help="also show where the time of an update goes (N = 9)")
    args = parser.parse_args(argv)

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    header = (f"{'N':>5}  {'tab':<10} {'mode':<7}  {'step median':>11} {'p95':>8}   "
              f"{'+message median':>15} {'p95':>8}  {'msg bytes':>9}  target")
    print(header)
    print("-" * len(header))
    for n in (9, MAX_POINTS):
        for tab in ("Points", "Landscape"):
            for running in (True, False):
                doc, page = build_page()
                with set_curdoc(doc):
                    if n != 9:
                        X, y = random_points(page.state, n)
                        with pn.io.hold(doc):
                            page.state.param.update(X=X, y=y)
                    with pn.io.hold(doc):
                        page.tabs.active = TABS.index(tab)
                step_s, total_s, sizes = time_steps(doc, page, args.repeats, running)
                median_ms = statistics.median(step_s) * 1e3
                target = TARGET_MS[n]
                verdict = "met" if median_ms <= target else "NOT met"
                with_message_ms = statistics.median(total_s) * 1e3
                print(f"{n:>5}  {tab:<10} {'Run' if running else 'Step':<7}  "
                      f"{median_ms:>8.2f} ms {p95(step_s) * 1e3:>5.2f} ms   "
                      f"{with_message_ms:>12.2f} ms {p95(total_s) * 1e3:>5.2f} ms  "
                      f"{statistics.median(sizes):>9.0f}  ≤ {target:g} ms {verdict}", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.profile:
        profile(args.repeats)


if __name__ == "__main__":
    main()
