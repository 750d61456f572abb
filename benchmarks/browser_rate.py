"""Browser update rate during Run, as ratios to a plain canvas measured in the same browser.

    python benchmarks/browser_rate.py [--points 9] [--seconds 8] [--rounds 3] [--cycle]

Serves LossLab with `losslab --port P --no-show` and opens headless Chromium (the browser tests'
flags, viewport 1400 × 900). Each round first loads the reference page,
benchmarks/reference_canvas.html (a canvas that draws the default lab's dots with their loss
rings, its lines and its regions for a new W, b on every animation frame), and counts its frames
per second. Then it opens the lab (with `--points` random points, loaded through the Data tab's
file input as a person opens a lab file), presses Run, and over a window starting 1 s later
counts, on every animation frame of the page:

  - distinct states drawn: frames on which the `Steps` readout shows a new number (the plot and
    the readouts of an update arrive in one message and are drawn in the same frame; the plot's
    own count of its drawings is printed beside it);
  - the page's own animation frames: a page that holds the browser's main thread too long per
    task gets fewer than the reference;
  - the CPU time of the busiest renderer's main thread, per state drawn, as a multiple of the
    reference's per frame (the figure that moves least with other work on the machine).

It prints each round and the medians, with the ratios: states drawn ÷ the reference's frames per
second, and the page's frames ÷ the reference's. At N ≠ 9 the reference is also measured at
that N (each point drawn on its own), and both ratios are given.

Targets: at N = 9, states drawn ≥ 0.8 of the reference's frame rate and the page's own frame rate
≥ 0.9 of it; at N = 2000, states drawn ≥ 0.5.

With `--cycle`, it also splits each update's cycle in two (the Run pacing,
losslab.transport.pacing): in the browser, from an update's arrival to the page's "drawn" report,
and outside it, from that report to the next update's arrival (network, the server's handling of
the report, the step, the message).
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from _harness import (  # noqa: E402
    FIND_DEEP_JS, busiest, launch_chromium, load_average, machine, open_lab, reference_rate,
    renderer_cpu, served, software)

TARGETS = {9: (0.8, 0.9), 2000: (0.5, None)}
WARMUP_MS = 1000

# Counts, on every animation frame, whether the Steps readout shows a new number. Installed once
# per page (the lab page serves every round): a second loop would count each frame twice.
COUNTER_JS = "() => {" + FIND_DEEP_JS + """
  if (window.__frames) return
  const find = (root) => findDeep(root, "td.steps")
  const cell = find(document)
  const plot = findDeep(document, ".losslab-plot").losslab
  window.__frames = {changes: 0, frames: 0, last: cell.textContent}
  window.__sample = () => [window.__frames.changes, window.__frames.frames, plot.draws(),
                           performance.now()]
  const tick = () => {
    const text = cell.isConnected ? cell.textContent : find(document).textContent
    window.__frames.frames += 1
    if (text !== window.__frames.last) { window.__frames.changes += 1; window.__frames.last = text }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}"""

# Times an update arrived and was reported drawn: on the page's stream (the plot's Scene takes a
# new `update`; the page sends {"drawn": …} on a websocket), or through the document (the frame's
# `sent` changes, and its `drawn`).
CYCLE_JS = """() => {
  const rec = window.__cycle = {sent: [], drawn: []}
  const now = () => performance.now()
  for (const m of Bokeh.documents[0].all_models) {
    if (m.properties.sent && m.properties.drawn) {
      m.properties.sent.change.connect(() => rec.sent.push(now()))
      m.properties.drawn.change.connect(() => rec.drawn.push(now()))
    }
    if (m.properties.update && m.properties.points)
      m.properties.update.change.connect(() => rec.sent.push(now()))
  }
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && data.startsWith('{"drawn"')) rec.drawn.push(now())
    return send.call(this, data)
  }
}"""


def cycle_split(rec):
    """Median ms (update arrived → drawn report, report → next update arrived), and cycles."""
    inside, outside = [], []
    for arrived, following in zip(rec["sent"], rec["sent"][1:]):
        reports = [t for t in rec["drawn"] if arrived <= t < following]
        if reports:
            inside.append(reports[0] - arrived)
            outside.append(following - reports[0])
    if not inside:
        return None
    return statistics.median(inside), statistics.median(outside), len(inside)


def lab_run(lab, seconds, cycle):
    """Figures of one Run of the open lab."""
    page = lab.page
    page.evaluate(COUNTER_JS)
    if cycle:
        page.evaluate(CYCLE_JS)
    lab.click("Run")
    page.wait_for_timeout(WARMUP_MS)
    start, cpu = page.evaluate("() => window.__sample()"), renderer_cpu()
    page.wait_for_timeout(seconds * 1000)
    end, used = page.evaluate("() => window.__sample()"), renderer_cpu()
    lab.click("Stop")
    page.wait_for_timeout(500)
    window = (end[3] - start[3]) / 1000
    states = end[0] - start[0]
    return dict(states=states / window, frames=(end[1] - start[1]) / window,
                draws=(end[2] - start[2]) / window,
                cpu_ms=1e3 * busiest(cpu, used) / max(states, 1),
                split=cycle_split(page.evaluate("() => window.__cycle")) if cycle else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=9, help="data points (9 … 2000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured window per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cycle", action="store_true",
                        help="also split each update cycle into browser and outside time")
    args = parser.parse_args()
    n = args.points
    print(f"machine: {machine()}\n{software()}\nload average before: {load_average()}")
    rows = []
    with served() as (_, url), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        lab = open_lab(browser, url, points=n)
        for number in range(1, args.rounds + 1):
            ref_fps, ref_cpu = reference_rate(browser, args.seconds)
            ref_n = reference_rate(browser, args.seconds, points=n) if n != 9 else (ref_fps, ref_cpu)
            run = lab_run(lab, args.seconds, args.cycle)
            rows.append(dict(ref=ref_fps, ref_cpu=ref_cpu, ref_n=ref_n[0], **run))
            print(f"round {number}: reference {ref_fps:.1f} frames/s ({ref_cpu:.2f} ms CPU each)"
                  + (f", at N = {n}: {ref_n[0]:.1f} frames/s ({ref_n[1]:.1f} ms each)" if n != 9 else "")
                  + f"; LossLab: {run['states']:.1f} states/s ({run['states'] / ref_fps:.2f}×), "
                  f"page {run['frames']:.1f} frames/s ({run['frames'] / ref_fps:.2f}×), plot drew "
                  f"{run['draws']:.1f}/s, {run['cpu_ms']:.2f} ms main-thread CPU per state "
                  f"({run['cpu_ms'] / ref_cpu:.1f}× the reference's per frame); "
                  f"load {load_average()}", flush=True)
            if run["split"]:
                inside, outside, cycles = run["split"]
                print(f"         update cycle (median of {cycles}): {inside:.1f} ms in the browser "
                      f"(arrived → drawn report), {outside:.1f} ms outside it (report → next update)")
        browser.close()

    median = {key: statistics.median(r[key] for r in rows)
              for key in ("ref", "ref_n", "states", "frames", "draws", "cpu_ms", "ref_cpu")}
    states_ratio = statistics.median(r["states"] / r["ref"] for r in rows)
    frames_ratio = statistics.median(r["frames"] / r["ref"] for r in rows)
    state_target, frame_target = TARGETS.get(n, (None, None))

    def verdict(value, target):
        return "" if target is None else f" (target ≥ {target:g}: {'met' if value >= target else 'NOT met'})"

    print(f"\nRun at N = {n}, medians of {len(rows)} rounds of {args.seconds:g} s:")
    print(f"  states drawn per second ÷ reference frames per second: {states_ratio:.2f}"
          f"{verdict(states_ratio, state_target)} — {median['states']:.1f} states/s, "
          f"reference {median['ref']:.1f} frames/s")
    if n != 9:
        print(f"  … ÷ the reference drawing {n} points: "
              f"{statistics.median(r['states'] / r['ref_n'] for r in rows):.2f} "
              f"(reference {median['ref_n']:.1f} frames/s)")
    print(f"  the page's own frames per second ÷ reference: {frames_ratio:.2f}"
          f"{verdict(frames_ratio, frame_target)} — {median['frames']:.1f} frames/s")
    print(f"  main-thread CPU per state drawn: {median['cpu_ms']:.2f} ms, "
          f"{median['cpu_ms'] / median['ref_cpu']:.1f}× the reference's per frame "
          f"({median['ref_cpu']:.2f} ms)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
