"""Drag latency: from a mouse move on a dragged point to the new `Total loss` on the page, in
frame intervals of a plain canvas measured in the same browser.

    python benchmarks/drag_latency.py [--moves 60] [--points 9]

Serves LossLab with `losslab --port P --no-show` and opens headless Chromium. It first measures
the frame rate of the reference page, benchmarks/reference_canvas.html (a canvas redrawing the
default lab's picture on every animation frame): one reference frame interval is 1000 ms ÷ its
frames per second. Then it opens the lab, presses the mouse
on the point with the largest loss (its loss, and so the total, changes with every move) and then
moves it `--moves` times by 3 pixels, up and down, one move at a time: each move waits until the
Total loss readout shows a new number, then 100 ms more, so that every move is reported to the
server (a drag reports at most every 25 ms) and none queues behind the last.

For each move the page records, on its own clock (performance.now):
  - the time of the mouse event (the pointermove event's timeStamp, taken when the input arrives),
  - when the Total loss cell's text changes (a MutationObserver: the new number is in the page),
  - the next animation frame after that (the new number is painted).
The figures are the median and 95th percentile of move → painted, in reference frame intervals
and in ms, and of move → text. The dragged point itself follows the mouse in the next frame,
drawn by the page without waiting for the server.

Targets at N = 9: median move → painted ≤ 3 reference frame intervals, p95 ≤ 5.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from _harness import (  # noqa: E402
    FIND_DEEP_JS, launch_chromium, load_average, machine, open_lab, reference_rate, served,
    software)

TARGET_FRAMES = (3.0, 5.0)  # median, 95th percentile
STEP_PX = 3

# Records each pointer move's time, each change of the Total loss text and the frame after it.
RECORDER_JS = "() => {" + FIND_DEEP_JS + """
  const find = (root) => findDeep(root, "td.total-loss")
  const cell = find(document)
  const rec = window.__drag = {moves: [], changes: [], painted: []}
  window.addEventListener("pointermove", (event) => rec.moves.push(event.timeStamp),
                          {capture: true})
  new MutationObserver(() => {
    const t = performance.now()
    rec.changes.push(t)
    requestAnimationFrame(() => rec.painted.push(performance.now()))
  }).observe(cell, {childList: true, characterData: true, subtree: true})
}"""

# Index of the point with the largest loss, from the plot's drawing.
WORST_POINT_JS = "() => {" + FIND_DEEP_JS + """
  const plot = findDeep(document, ".losslab-plot").losslab
  let best = 0
  for (let i = 1; i < plot.count(); i++) if (plot.loss(i) > plot.loss(best)) best = i
  return best
}"""


def measure(url, points, moves):
    """(move → text, move → painted) latencies in ms, one pair per move, and the reference's
    frames per second."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            reference_fps, _ = reference_rate(browser, 5.0)
            lab = open_lab(browser, url, points=points)
            page = lab.page
            i = page.evaluate(WORST_POINT_JS)
            x, y = lab.point_on_screen(i)
            mouse = page.mouse
            mouse.move(x, y)
            mouse.down()
            # Start the drag gesture: the first move must go past the plot's move threshold.
            y -= 12
            mouse.move(x, y)
            page.wait_for_timeout(1000)
            page.evaluate(RECORDER_JS)
            text, painted = [], []
            for k in range(moves):
                page.wait_for_timeout(100)
                seen = page.evaluate("() => window.__drag.painted.length")
                y += STEP_PX if k % 2 else -STEP_PX
                mouse.move(x, y)
                page.wait_for_function(f"() => window.__drag.painted.length > {seen}",
                                       timeout=10_000)
                rec = page.evaluate("() => window.__drag")
                moved_at = rec["moves"][-1]
                text.append(rec["changes"][seen] - moved_at)
                painted.append(rec["painted"][seen] - moved_at)
            mouse.up()
        finally:
            browser.close()
    return text, painted, reference_fps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="mouse moves timed (≥ 50)")
    parser.add_argument("--points", type=int, default=9, help="data points (9 … 2000)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n{software()}\nload average before: {load_average()}")
    with served() as (_, url):
        text, painted, reference_fps = measure(url, args.points, args.moves)
    frame_ms = 1000 / reference_fps
    median, p95 = statistics.median(painted), float(np.percentile(painted, 95))
    in_frames = (median / frame_ms, p95 / frame_ms)
    met = args.points != 9 or all(v <= t for v, t in zip(in_frames, TARGET_FRAMES))
    print(f"{args.moves} moves of a dragged point at N = {args.points}; reference "
          f"{reference_fps:.1f} frames/s, one frame interval {frame_ms:.1f} ms")
    print(f"move → Total loss painted: median {in_frames[0]:.1f}, p95 {in_frames[1]:.1f} reference "
          f"frame intervals ({median:.1f} ms, {p95:.1f} ms)"
          + (f"  (target ≤ {TARGET_FRAMES[0]:g} / ≤ {TARGET_FRAMES[1]:g}: {'met' if met else 'NOT met'})"
             if args.points == 9 else ""))
    print(f"move → Total loss text:    median {statistics.median(text):.1f} ms, "
          f"p95 {np.percentile(text, 95):.1f} ms")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
