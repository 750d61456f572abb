"""Run in a notebook: how many distinct states the lab draws per second in a JupyterLab output,
against the served page measured the same way in the same run.

    python benchmarks/notebook_rate.py [--seconds 10] [--runs 3]

Starts a JupyterLab on this machine (tests/browser/jupyterlab.py: nothing fetched from the
internet), opens a notebook in headless Chromium (1500 × 1000), runs the README's cell, presses
Run and counts, on every animation frame, whether the lab's `Steps` readout shows a new number;
`--runs` times. Then serves the lab (`losslab --port P --no-show`) and counts the same way on its
page: the reference. Both are paced by the browser (losslab.transport.pacing), so the ratio is
what the notebook's longer way (browser → Jupyter server → kernel and back) and its heavier page
cost. Prints per-run figures, the medians, the ratio and the load average.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from _harness import FIND_DEEP_JS, launch_chromium, load_average, machine, open_lab, served  # noqa: E402
from tests.browser.jupyterlab import Notebook, NotebookLab, jupyterlab, write_notebook  # noqa: E402

# Counts, on every animation frame, whether the Steps readout inside `root` shows a new number.
COUNTER_JS = "(root) => {" + FIND_DEEP_JS + """
  const cell = findDeep(root, "td.steps")
  window.__frames = {changes: 0, frames: 0, last: cell.textContent}
  const tick = () => {
    window.__frames.frames += 1
    if (cell.textContent !== window.__frames.last) {
      window.__frames.changes += 1
      window.__frames.last = cell.textContent
    }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}"""


def run_once(page, root, run, stop, seconds):
    """Distinct states drawn per second during one Run of `seconds`."""
    page.evaluate(COUNTER_JS, root.element_handle())
    run.click()
    page.wait_for_timeout(seconds * 1000)
    changes = page.evaluate("() => window.__frames.changes")
    stop.click()
    expect(run).to_be_visible()
    page.wait_for_timeout(500)
    return changes / seconds


def in_notebook(browser, seconds, runs):
    with jupyterlab() as server:
        write_notebook(server["root"] / "rate.ipynb",
                       ["from losslab import create_app\nlab = create_app()\nlab"])
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        notebook = Notebook(context.new_page(), server, "rate.ipynb")
        notebook.run(0)
        lab = NotebookLab(notebook, 0)
        expect(lab.readout("total-loss")).to_have_text("6.2667", timeout=60_000)
        rates = [run_once(notebook.page, lab.root, lab.button("Run"), lab.button("Stop"), seconds)
                 for _ in range(runs)]
        context.close()
    return rates


def served_page(browser, seconds, runs):
    with served() as (_, url):
        lab = open_lab(browser, url, viewport=(1500, 1000))
        root = lab.page.locator("body")
        return [run_once(lab.page, root, lab.button("Run"), lab.button("Stop"), seconds)
                for _ in range(runs)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    before = load_average()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            notebook = in_notebook(browser, args.seconds, args.runs)
            reference = served_page(browser, args.seconds, args.runs)
        finally:
            browser.close()
    for name, rates in (("JupyterLab output", notebook), ("served page", reference)):
        print(f"{name}: distinct states drawn per second during Run: "
              f"{', '.join(f'{r:.1f}' for r in rates)} (median {statistics.median(rates):.1f})")
    print(f"notebook / served: {statistics.median(notebook) / statistics.median(reference):.2f}")
    print(f"load average before: {before}, after: {load_average()}")


if __name__ == "__main__":
    main()
