"""Browser update rate: how many distinct states the served page draws per second during Run.

Serves LossLab with `losslab --port P --no-show`, opens it in headless Chromium, presses Run and
counts, frame by frame, how often the `Steps` readout on the screen changes.

    python benchmarks/browser_rate.py [--seconds 10] [--points 9]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server  # noqa: E402
from tests.browser.lab import Lab  # noqa: E402

# Counts, on every animation frame, whether the Steps readout shows a new number.
COUNTER_JS = """() => {
  const find = (root) => {
    const hit = root.querySelector("td.steps")
    if (hit) return hit
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f }
    }
    return null
  }
  const cell = find(document)
  window.__frames = {changes: 0, frames: 0, last: cell.textContent}
  const tick = () => {
    const text = find(document).textContent
    window.__frames.frames += 1
    if (text !== window.__frames.last) { window.__frames.changes += 1; window.__frames.last = text }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            lab = Lab(page)
            lab.wait_ready()
            page.evaluate(COUNTER_JS)
            lab.click("Run")
            page.wait_for_timeout(args.seconds * 1000)
            counts = page.evaluate("() => window.__frames")
            lab.click("Stop")
            page.wait_for_timeout(500)
            shown_steps = lab.readout("Steps")
            browser.close()
    finally:
        process.terminate()
        process.wait()
    rate = counts["changes"] / args.seconds
    print(f"run for {args.seconds:.0f} s at N = 9 points")
    print(f"distinct states drawn: {counts['changes']}  ({rate:.1f} per second)")
    print(f"animation frames: {counts['frames']}  ({counts['frames'] / args.seconds:.1f} per second)")
    print(f"steps shown after Stop: {shown_steps:.0f}")


if __name__ == "__main__":
    main()
