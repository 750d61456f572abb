"""Browser update rate: how many distinct states the served page draws per second during Run.

    python benchmarks/browser_rate.py [--seconds 10] [--points 9]

Serves LossLab with `losslab --port P --no-show`, opens it in headless Chromium (1400 × 900),
loads `--points` random points (more than the default 9: through the Data tab's file input, as a
person opens a lab file; then back to the Points tab), presses Run and counts, on every animation
frame, whether the `Steps` readout on the screen shows a new number.

With `--cycle`, it also records the websocket frames (Chrome DevTools Protocol, Network domain)
and splits each update's cycle in two: in the browser, from the arrival of the update to the
page's "drawn" report going out (applying the changes, painting, the frame's
requestAnimationFrame + setTimeout); and outside it, from that report to the next update's
arrival (network, the server's handling of the report, the step, its serialization, and any wait
for the Run period, losslab.transport.pacing RUN_PERIOD_MS). Recording frames costs the browser a little, so the rate is best
read from a run without it.

Targets: ≥ 30 distinct states per second at N = 9, ≥ 20 at N = 2000.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from _harness import (  # noqa: E402
    FIND_DEEP_JS, launch_chromium, load_average, open_lab, served)

TARGETS = {9: 30.0, 2000: 20.0}

# Counts, on every animation frame, whether the Steps readout shows a new number.
COUNTER_JS = "() => {" + FIND_DEEP_JS + """
  const find = (root) => findDeep(root, "td.steps")
  const cell = find(document)
  window.__frames = {changes: 0, frames: 0, last: cell.textContent}
  const tick = () => {
    const text = cell.isConnected ? cell.textContent : find(document).textContent
    window.__frames.frames += 1
    if (text !== window.__frames.last) { window.__frames.changes += 1; window.__frames.last = text }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}"""


def record_frames(page):
    """Start recording the times of update messages received and of "drawn" reports sent."""
    frames = {"updates": [], "drawn": []}
    cdp = page.context.new_cdp_session(page)

    def on_frame(kind, marker):
        def handler(params):
            data = params["response"]
            if data["opcode"] == 1 and marker in data["payloadData"]:
                frames[kind].append(params["timestamp"])
        return handler

    cdp.on("Network.webSocketFrameReceived", on_frame("updates", '"attr":"sent"'))
    cdp.on("Network.webSocketFrameSent", on_frame("drawn", '"attr":"drawn"'))
    cdp.send("Network.enable")
    return frames


def cycle_split(frames):
    """Median ms (in the browser, outside it) per update cycle, from recorded frame times."""
    updates, drawn = frames["updates"], frames["drawn"]
    inside, outside = [], []
    for arrived, following in zip(updates, updates[1:]):
        reports = [t for t in drawn if arrived <= t < following]
        if reports:
            inside.append(reports[0] - arrived)
            outside.append(following - reports[0])
    if not inside:
        return None
    return statistics.median(inside) * 1e3, statistics.median(outside) * 1e3, len(inside)


def measure(url, points, seconds, cycle=False):
    """(distinct states drawn, animation frames, steps shown after Stop, cycle split) of one Run."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            lab = open_lab(browser, url, points=points)
            frames = record_frames(lab.page) if cycle else None
            lab.page.evaluate(COUNTER_JS)
            lab.click("Run")
            lab.page.wait_for_timeout(seconds * 1000)
            counts = lab.page.evaluate("() => window.__frames")
            lab.click("Stop")
            lab.page.wait_for_timeout(500)
            shown_steps = lab.readout("Steps")
        finally:
            browser.close()
    return counts["changes"], counts["frames"], shown_steps, frames and cycle_split(frames)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--points", type=int, default=9, help="data points (9 … 2000)")
    parser.add_argument("--cycle", action="store_true",
                        help="also split each update cycle into browser and server time")
    args = parser.parse_args()
    before = load_average()
    with served() as (_, url):
        changes, frames, shown_steps, split = measure(url, args.points, args.seconds, args.cycle)
    rate = changes / args.seconds
    target = TARGETS.get(args.points)
    verdict = "" if target is None else \
        f"  (target ≥ {target:g}: {'met' if rate >= target else 'NOT met'})"
    print(f"run for {args.seconds:.0f} s at N = {args.points} points")
    print(f"distinct states drawn: {changes}  ({rate:.1f} per second){verdict}")
    print(f"animation frames: {frames}  ({frames / args.seconds:.1f} per second)")
    print(f"steps shown after Stop: {shown_steps:.0f}")
    if split:
        inside, outside, cycles = split
        print(f"update cycle (median of {cycles}): {inside:.1f} ms in the browser (update arrived "
              f"→ drawn report sent), {outside:.1f} ms outside it (report sent → next update "
              f"arrived)")
    print(f"load average before: {before}, after: {load_average()}")


if __name__ == "__main__":
    main()
