"""Reading and driving the LossLab page the way a person does: buttons, readouts, table, mouse."""

import re

from playwright.sync_api import expect

from losslab.views.readouts import READOUT_KEYS as READOUTS


TABLE_ROWS = ".points-table tr.row"
"""The table of points' rows (app/web/points_table.js), one per point, each with its `data-index`."""

PLOT = ".losslab-plot"
"""The main plot's element (its component draws in a shadow root, which locators pierce). It
carries a read-only view of the drawing, `losslab` (app/web/plot.js): where a point or a data
position is on the screen, the view box, the sizes drawn."""


# Whether the tab titled `name` is the one shown and its content has come from the server (the
# page draws a tab's content only while it is shown; until it arrives the tab holds a Spacer).
_TAB_SHOWN_JS = """(name) => {
  for (const model of Bokeh.documents[0].all_models) {
    if (!String(model.type).endsWith("Tabs") || !model.tabs) continue
    const i = model.tabs.findIndex(panel => panel.title == name)
    if (i >= 0) return model.active == i && !String(model.tabs[i].child.type).endsWith("Spacer")
  }
  return false
}"""


class Lab:
    """One open LossLab page."""

    def __init__(self, page):
        self.page = page

    def wait_ready(self):
        expect(self.page.locator("td.total-loss")).to_have_text(re.compile(r"^-?\d"), timeout=30_000)
        self.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")

    # -- reading ---------------------------------------------------------------------------

    def readout_text(self, label):
        return self.page.locator(f"td.{READOUTS[label]}").inner_text().strip()

    def readout(self, label):
        """The number a readout shows (Accuracy in percent)."""
        return float(re.match(r"-?[\d.]+(?:e[-+]?\d+)?", self.readout_text(label)).group(0))

    def table_rows(self):
        """The table of points (the rows it draws) as a list of rows of cell texts, with the
        true minus signs it prints read as ASCII ones."""
        self.table_settled()
        rows = self.page.locator(TABLE_ROWS)
        return [[c.strip().replace("\u2212", "-") for c in rows.nth(i).locator("td").all_inner_texts()]
                for i in range(rows.count())]

    def table_row_element(self, i):
        """The table's row of point i."""
        return self.page.locator(f'{TABLE_ROWS}[data-index="{i}"]')

    def selected_rows(self):
        """The points whose rows the table shows as selected."""
        rows = self.page.locator(f"{TABLE_ROWS}.selected")
        return [int(rows.nth(k).get_attribute("data-index")) for k in range(rows.count())]

    def table_settled(self):
        """Wait until the table has drawn what it was sent (it draws at the next animation frame)."""
        self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def table_row(self, i):
        return self.table_rows()[i]

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    # -- acting ----------------------------------------------------------------------------

    def click(self, name):
        self.button(name).click()

    def open_tab(self, name):
        """Click the tab titled `name` and wait until its content is on the page."""
        self.page.locator(".bk-tab", has_text=name).click()
        self.page.wait_for_function(_TAB_SHOWN_JS, arg=name, timeout=10_000)

    def open_file(self, path):
        """Choose `path` in the lab's file input as a person does: click it, pick in the chooser
        (the click waits until the input is on the page, still and enabled)."""
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_label("Open a lab from a JSON file").click()
        chooser.value.set_files(str(path))

    def wait_for_change(self, label, old, timeout=10_000):
        """Wait until a readout no longer shows `old`."""
        expect(self.page.locator(f"td.{READOUTS[label]}")).not_to_have_text(old, timeout=timeout)

    @property
    def plot(self):
        """The main plot's element."""
        return self.page.locator(PLOT)

    def plot_js(self, expression, arg=None):
        """Evaluate `expression` (a function of the plot's `losslab` view and `arg`) in the page."""
        return self.plot.evaluate(f"(el, arg) => ({expression})(el.losslab, arg)", arg)

    def wait_for_plot(self, condition, timeout=10_000):
        """Wait until `condition` (JavaScript: a function of the plot's `losslab` view) holds."""
        self.page.wait_for_function(f"(el) => ({condition})(el.losslab)",
                                    arg=self.plot.element_handle(), timeout=timeout)

    def point_on_screen(self, i):
        """Where point i is drawn, in the page's CSS pixels."""
        return self.plot_js("(plot, i) => plot.pointOnScreen(i)", i)

    def data_on_screen(self, x, y):
        """Where the data position (x, y) is drawn, in the page's CSS pixels."""
        return self.plot_js("(plot, [x, y]) => plot.dataOnScreen(x, y)", [x, y])

    def point_drawn(self, i):
        """Where point i is drawn, in data units."""
        return self.plot_js("(plot, i) => plot.point(i)", i)

    def touch(self, kind, *points):
        """A real touch event (Chrome DevTools Protocol, as a touch screen sends it): `kind` is
        "touchStart", "touchMove", "touchEnd" or "touchCancel"; `points` the fingers' (x, y)."""
        if not hasattr(self, "_cdp"):
            self._cdp = self.page.context.new_cdp_session(self.page)
        touching = [] if kind in ("touchEnd", "touchCancel") else \
            [{"x": x, "y": y, "id": k, "radiusX": 4, "radiusY": 4, "force": 1} for k, (x, y) in enumerate(points)]
        self._cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touching})

    def touch_drag(self, start, end, moves=12, pause_ms=25, lift=True):
        """One finger from the screen position `start` to `end`, in small steps."""
        (sx, sy), (tx, ty) = start, end
        self.touch("touchStart", (sx, sy))
        for k in range(1, moves + 1):
            self.touch("touchMove", (sx + (tx - sx) * k / moves, sy + (ty - sy) * k / moves))
            self.page.wait_for_timeout(pause_ms)
        if lift:
            self.touch("touchEnd")

    def press_point(self, i, toward):
        """Press the mouse on point i; returns its screen position and that of the data position
        `toward`, for `mouse_moves`."""
        start, end = self.point_on_screen(i), self.data_on_screen(*toward)
        self.page.mouse.move(*start)
        self.page.mouse.down()
        return start, end

    def mouse_moves(self, start, end, steps, moves=20, pause_ms=25):
        """Move the (pressed) mouse through steps `steps` of `moves` from the screen position
        `start` to `end`, at a person's pace; yields each step's k and (x, y)."""
        (sx, sy), (tx, ty) = start, end
        for k in steps:
            x, y = sx + (tx - sx) * k / moves, sy + (ty - sy) * k / moves
            self.page.mouse.move(x, y)
            self.page.wait_for_timeout(pause_ms)
            yield k, (x, y)

    def drag_point(self, i, to, moves=15, pause_ms=20):
        """Press on point i, move the mouse to the data position `to` in small steps, release."""
        sx, sy = self.point_on_screen(i)
        tx, ty = self.data_on_screen(*to)
        mouse = self.page.mouse
        mouse.move(sx, sy)
        mouse.down()
        for k in range(1, moves + 1):
            mouse.move(sx + (tx - sx) * k / moves, sy + (ty - sy) * k / moves)
            self.page.wait_for_timeout(pause_ms)
        mouse.up()
