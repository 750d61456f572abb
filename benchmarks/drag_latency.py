"""Drag latency: from a mouse move on a dragged point to the new `Total loss` on the page.

    python benchmarks/drag_latency.py [--moves 60] [--points 9]

Serves LossLab with `losslab --port P --no-show`, opens it in headless Chromium, presses the mouse
on the point with the largest loss (its loss, and so the total, changes with every move) and then
moves it `--moves` times by 3 pixels, up and down, one move at a time: each move waits until the
Total loss readout shows a new number, then 100 ms more, so that every move is reported to the
server (a drag reports at most every 25 ms) and none queues behind the last.

For each move the page records, on its own clock (performance.now):
  - the time of the mouse event (the pointermove event's timeStamp, taken when the input arrives),
  - when the Total loss cell's text changes (a MutationObserver: the new number is in the page),
  - the next animation frame after that (the new number is painted).
The figures are the median and 95th percentile of move → painted, and of move → text.

Target: median move → painted ≤ 60 ms at N = 9.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from _harness import (  # noqa: E402
    FIND_DEEP_JS, launch_chromium, load_average, open_lab, served)

TARGET_MS = 60.0
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

# Index of the point with the largest loss, from the plot's own data source.
WORST_POINT_JS = """() => {
  const plot = Bokeh.documents[0].get_model_by_name("lab-plot")
  const dots = plot.renderers.filter(r => r.glyph && r.glyph.type == "Scatter")
  const loss = dots[dots.length - 1].data_source.data.loss
  let best = 0
  for (let i = 1; i < loss.length; i++) if (loss[i] > loss[best]) best = i
  return best
}"""


def measure(url, points, moves):
    """(move → text, move → painted) latencies in ms, one pair per move."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            lab = open_lab(browser, url, points=points)
            page = lab.page
            i = page.evaluate(WORST_POINT_JS)
            x, y = lab.point_on_screen(i)
            mouse = page.mouse
            mouse.move(x, y)
            mouse.down()
            # Start the drag gesture: the first move must go past Bokeh's pan threshold.
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
    return text, painted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="mouse moves timed (≥ 50)")
    parser.add_argument("--points", type=int, default=9, help="data points (9 … 2000)")
    args = parser.parse_args()
    before = load_average()
    with served() as (_, url):
        text, painted = measure(url, args.points, args.moves)
    median = statistics.median(painted)
    print(f"{args.moves} moves of a dragged point at N = {args.points}")
    print(f"move → Total loss painted: median {median:.1f} ms, "
          f"p95 {np.percentile(painted, 95):.1f} ms  "
          f"(target ≤ {TARGET_MS:g} ms: {'met' if median <= TARGET_MS else 'NOT met'})")
    print(f"move → Total loss text:    median {statistics.median(text):.1f} ms, "
          f"p95 {np.percentile(text, 95):.1f} ms")
    print(f"load average before: {before}, after: {load_average()}")


if __name__ == "__main__":
    main()
