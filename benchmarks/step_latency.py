"""Server-side cost of one update, as a ratio to the protocol's floor measured in the same run.

    python benchmarks/step_latency.py [--repeats 500] [--profile]

Builds one session's page (`losslab.page.LabPage`) inside a Bokeh Document, as the server does for
each browser tab, and times one update of a Run two ways:

- on the page's stream, as the `losslab` server takes it (losslab.views.lab_picture.LabStream):
  the Run timer's step (`page.timer._update`: the step, written quietly, and the picture made
  from the page's views and offered to the stream), whatever the views that follow the Run at
  their own rates still change on the document, with its PATCH-DOC message, and the handling of
  the page's report that it painted the picture (a stand-in socket plays the browser's end);
- through the session's document (`panel serve`, `pn.serve`, a notebook):
  `losslab.transport.wire.held(page.training.step)` — the step, every view that follows the
  state (the plot's scene, readouts, sliders, table rows, history, ...) and Panel's collection
  of the resulting model changes — plus the PATCH-DOC message the server then builds from them
  (Bokeh's serializer, as `bokeh.server.connection.ServerConnection.send_patch_document` does).

The reference is the protocol's floor (benchmarks/_floor.py): a bare Bokeh document whose update
replaces one ColumnDataSource of as many bytes as LossLab's update, with the same pacing counter,
also turned into its PATCH-DOC message. The two are alternated update by update in this one
process and timed as thread CPU time (`time.thread_time`), so that other work on the machine
changes both alike. First block: LossLab's CPU per update during a Run as a multiple of the
floor's, at N = 9 (the default data) and N = 2000 (random points in the view box). Target: ≤ 2×
the floor at N = 9.

Second block, absolute figures through the document: the median and 95th percentile of the
update alone and with its message, and the message's size, during a Run (state.running true: views that throttle
themselves while running do so) and for a single Step, with the Points tab shown (the default)
and with the Landscape tab shown.

With `--profile`, it then profiles (cProfile) the N = 9 Points/Run case on the stream and prints the app's and
core's functions by the time spent in them (inclusive) per update, and the slowest library
functions by their own time: where the milliseconds go. Profiling slows everything about
twofold; compare the shares, not the absolute numbers.

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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import panel as pn  # noqa: E402
from bokeh.document import Document  # noqa: E402
from bokeh.protocol import Protocol  # noqa: E402
from panel.io.state import set_curdoc  # noqa: E402

from _floor import Floor, columns_matching, message_bytes  # noqa: E402
from _harness import load_average, machine  # noqa: E402
from losslab.page import TABS, LabPage  # noqa: E402
from losslab.session.state import MAX_POINTS  # noqa: E402
from losslab.transport.wire import held  # noqa: E402

TARGET_RATIO = 2.0
PROTOCOL = Protocol()


def build_page():
    """A LabPage whose layout is a root of a Bokeh Document, as a served session has it.

    `server_doc` adds the layout's root model to the document, as Panel's server does; without
    that (`get_root` alone) the models' changes never reach the document and nothing would be
    collected to send. The document is then serialized once, as a session's first message sends
    it to the page: from then on its models are known to the page, and a message refers to them
    instead of sending them.
    """
    pn.extension()
    doc = Document()
    with set_curdoc(doc):
        page = LabPage(served=True)
        page.layout.server_doc(doc)
    doc.to_json()
    return doc, page


def random_points(state, n, seed=1):
    rng = np.random.default_rng(seed)
    xmin, xmax, ymin, ymax = state.box
    X = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    y = rng.integers(0, 3, n)
    return X, y


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
    """Print where the time of `repeats` updates at N = 9 (Points tab, a Run on the page's
    stream, as the `losslab` server takes it) goes."""
    doc, page, socket = streamed_page(9)
    with set_curdoc(doc):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            streamed_step(doc, page, socket)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    root = str(Path(__file__).resolve().parent.parent)
    rows = []
    for (filename, line, name), (_, _, own, inclusive, _) in stats.stats.items():
        rows.append((filename, line, name, own, inclusive))
    print(f"\nprofile of {repeats} updates at N = 9 (Points tab, a Run on the page's stream): "
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


def page_at(n):
    """A page (doc, page) at n points: the default lab's 9, or n random points in its view box."""
    doc, page = build_page()
    if n != 9:
        with set_curdoc(doc):
            X, y = random_points(page.state, n)
            with pn.io.hold(doc):
                page.state.param.update(X=X, y=y)
    return doc, page


def running_page(n):
    """A page at n points, running, with its Run timer stopped (the caller takes the steps)."""
    doc, page = page_at(n)
    with set_curdoc(doc):
        with pn.io.hold(doc):
            page.state.running = True
        page.timer.stop()
        for _ in range(10):  # warm-up
            held(page.training.step)
    return doc, page


class PageSocket:
    """The page's end of its stream here: takes each picture's text and reports it painted, as
    the browser does once it has drawn it."""

    def __init__(self, stream):
        self.stream, self.sizes = stream, []

    def write_message(self, text):
        self.sizes.append(len(text.encode()))
        self.painted = json.loads(text[:text.index(",")] + "}")["seq"]

    def close(self):
        pass


def streamed_page(n):
    """A page at n points, running on its stream (losslab.views.lab_picture.LabStream) with the
    browser's end played by a PageSocket; its Run timer stopped (the caller takes the steps)."""
    doc, page = running_page(n)
    socket = PageSocket(page.stream.stream)
    with set_curdoc(doc):
        page.stream.stream.attach(socket)
        with pn.io.hold(doc):
            page.stream.begin()
        for _ in range(10):  # warm-up, the first picture with the points
            streamed_step(doc, page, socket)
    return doc, page, socket


def streamed_step(doc, page, socket):
    """One update of a Run on the stream, as the Run timer takes it, and the page's report that
    it painted it (which the server handles too); returns the changes still made on the page's
    document (the views that follow at their own rates), as collected for a message."""
    events = []

    def step_and_collect():
        page.timer._update()
        events.extend(doc.callbacks._held_events)

    held(step_and_collect)
    page.stream.stream.drawn(socket.painted, socket)
    return events


def against_the_floor(n, repeats, streamed=False):
    """(LossLab's, the floor's) thread CPU seconds per update with its message, and their
    message sizes: `repeats` of each, alternated. `streamed`: LossLab's Run on the page's stream
    (its message is the picture's text, plus what the document still sends)."""
    if streamed:
        doc, page, socket = streamed_page(n)
    else:
        doc, page = running_page(n)

    def lab_update():
        with set_curdoc(doc):
            if streamed:
                events = streamed_step(doc, page, socket)
            else:
                events = held_step(doc, page.training)
        patches = [e for e in events if hasattr(e, "to_serializable")]
        size = message_bytes(PROTOCOL.create("PATCH-DOC", patches)) if patches else 0
        return size + (socket.sizes[-1] if streamed else 0)

    lab_sizes = [lab_update() for _ in range(20)]
    floor = Floor(Document(), n, columns_matching(n, statistics.median(lab_sizes)))
    floor.doc.to_json()

    def floor_update():
        return message_bytes(PROTOCOL.create("PATCH-DOC", floor.held_events()))

    for _ in range(20):
        floor_update()
    times = {"lab": [], "floor": []}
    sizes = {"lab": [], "floor": []}
    for _ in range(repeats):
        for name, update in (("lab", lab_update), ("floor", floor_update)):
            start = time.thread_time()
            size = update()
            times[name].append(time.thread_time() - start)
            sizes[name].append(size)
    return times, sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=500, help="timed updates per line (≥ 500)")
    parser.add_argument("--profile", action="store_true",
                        help="also show where the time of an update goes (N = 9)")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}; load average before: {load_average()}")
    print("\nServer CPU per update during a Run, with its PATCH-DOC message (thread time, median "
          f"of {args.repeats}, alternated with the protocol's floor):")
    for streamed in (True, False):
        print("  on the page's stream (the `losslab` server):" if streamed else
              "  through the session's document (`panel serve`, `pn.serve`, a notebook):")
        for n in (9, MAX_POINTS):
            times, sizes = against_the_floor(n, args.repeats, streamed)
            lab, floor = (statistics.median(times[k]) * 1e3 for k in ("lab", "floor"))
            ratio = lab / floor
            verdict = f"  (target ≤ {TARGET_RATIO:g}×: {'met' if ratio <= TARGET_RATIO else 'NOT met'})" \
                if n == 9 else ""
            print(f"    N = {n:>4}: {ratio:.2f}× the floor{verdict} — LossLab {lab:.2f} ms "
                  f"(p95 {p95(times['lab']) * 1e3:.2f}), floor {floor:.2f} ms "
                  f"(p95 {p95(times['floor']) * 1e3:.2f}); message "
                  f"{statistics.median(sizes['lab']):.0f} / {statistics.median(sizes['floor']):.0f} "
                  "bytes", flush=True)

    header = (f"{'N':>5}  {'tab':<10} {'mode':<7}  {'update median':>13} {'p95':>8}   "
              f"{'+message median':>15} {'p95':>8}  {'msg bytes':>9}")
    print("\nAbsolute figures through the session's document (wall time, perf_counter):")
    print(header)
    print("-" * len(header))
    for n in (9, MAX_POINTS):
        for tab in ("Points", "Landscape"):
            for running in (True, False):
                doc, page = page_at(n)
                with set_curdoc(doc):
                    with pn.io.hold(doc):
                        page.tabs.active = TABS.index(tab)
                step_s, total_s, sizes = time_steps(doc, page, args.repeats, running)
                print(f"{n:>5}  {tab:<10} {'Run' if running else 'Step':<7}  "
                      f"{statistics.median(step_s) * 1e3:>10.2f} ms {p95(step_s) * 1e3:>5.2f} ms   "
                      f"{statistics.median(total_s) * 1e3:>12.2f} ms {p95(total_s) * 1e3:>5.2f} ms  "
                      f"{statistics.median(sizes):>9.0f}", flush=True)
    print(f"load average after: {load_average()}")
    if args.profile:
        profile(args.repeats)


if __name__ == "__main__":
    main()
