"""Shared, read-only helpers of the benchmarks: serve LossLab, open it in headless Chromium, load
a data set through the page, and read a server process's CPU time and memory from /proc.

Nothing here is a benchmark; the scripts beside it import it.
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402,F401
from tests.browser.lab import Lab  # noqa: E402,F401

FIND_DEEP_JS = """
  // The first element matching `selector` in the page, looking inside every shadow root.
  const findDeep = (root, selector) => {
    const hit = root.querySelector(selector)
    if (hit) return hit
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) { const found = findDeep(el.shadowRoot, selector); if (found) return found }
    }
    return null
  }
"""
"""A JavaScript helper for the page scripts of the benchmarks: paste it into a function body."""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def load_average():
    """The machine's 1-, 5- and 15-minute load averages, as `uptime` prints them."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def machine():
    """A one-line description of this machine: cores, CPU model, memory."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError):
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} cores, {model}, {memory_kb / 2**20:.1f} GiB memory"


def software():
    """Python, Bokeh, Panel and Chromium versions, in one line."""
    import platform
    import subprocess

    import bokeh
    import panel

    chromium = "Chromium ?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()
    return f"Python {platform.python_version()}, Bokeh {bokeh.__version__}, Panel {panel.__version__}, {chromium}"


# -- the server ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def losslab_command():
    beside = Path(sys.executable).with_name("losslab")
    return str(beside) if beside.exists() else "losslab"


@contextlib.contextmanager
def served(*arguments, timeout_s=60, prefix=()):
    """Serve LossLab as the README says (`losslab --port P --no-show`, plus `arguments`, after
    `prefix`, say `taskset -c 0`); yields (process, url) and stops the server (and any workers it
    forked) afterwards."""
    port = free_port()
    process = subprocess.Popen([*prefix, losslab_command(), "--port", str(port), "--no-show", *arguments],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"losslab exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=15) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("losslab did not answer within 60 s") from None
                time.sleep(0.2)
        yield process, url
    finally:
        # The server runs in its own process group (with its --num-procs workers): end that group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def process_tree(pid):
    """`pid` and its descendants (the workers `--num-procs` forks)."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                queue.extend(int(child) for child in task.read_text().split())
    return pids


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def memory_bytes(pid):
    """(resident set size, proportional set size) of a process. PSS counts a page shared by
    forked workers once in total, so it adds up across processes; RSS counts it in each."""
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    pss = rss
    with contextlib.suppress(OSError, AttributeError):
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)) * 1024
    return rss, pss


def connections_per_process(pids, port):
    """How many established TCP connections to `port` each process holds ({pid: count}): with the
    lab's server, one per open websocket, that is one per browser tab (or protocol client)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    established.add(fields[9])  # the socket's inode
    counts = {}
    for pid in pids:
        inodes = set()
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
        counts[pid] = len(inodes & established)
    return counts


# -- the browser ----------------------------------------------------------------------------------

REFERENCE_PAGE = Path(__file__).resolve().with_name("reference_canvas.html")
"""A plain canvas redrawing the default lab's picture on every animation frame: the reference the
browser figures are given as ratios to, measured in the same browser and the same run."""


def _children():
    kids = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                kids.setdefault(parent, []).append(int(entry.name))
    return kids


def renderer_cpu():
    """{pid: CPU seconds of its main thread} of the renderer processes of the Chromium this
    script started (a page's JavaScript, style, layout and painting run on that thread)."""
    kids, found, queue = _children(), {}, [os.getpid()]
    while queue:
        for child in kids.get(queue.pop(), []):
            queue.append(child)
            with contextlib.suppress(OSError):
                if b"--type=renderer" in Path(f"/proc/{child}/cmdline").read_bytes():
                    fields = Path(f"/proc/{child}/task/{child}/stat").read_text().rsplit(")", 1)[1].split()
                    found[child] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def busiest(before, after):
    """CPU seconds used between two `renderer_cpu()` readings by the busiest renderer."""
    return max((after[pid] - before.get(pid, 0.0) for pid in after), default=0.0)


def reference_rate(browser, seconds, points=9, viewport=(1400, 900)):
    """(frames per second, main-thread CPU ms per frame) of the reference page."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        page.goto(REFERENCE_PAGE.as_uri() + (f"?points={points}" if points != 9 else ""))
        page.wait_for_timeout(700)
        start, cpu = page.evaluate("() => [window.__ref.frames, performance.now()]"), renderer_cpu()
        page.wait_for_timeout(seconds * 1000)
        end, used = page.evaluate("() => [window.__ref.frames, performance.now()]"), renderer_cpu()
        frames = end[0] - start[0]
        return frames / ((end[1] - start[1]) / 1000), 1e3 * busiest(cpu, used) / max(frames, 1)
    finally:
        page.close()


# -- the page -----------------------------------------------------------------------------------

def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


DEFAULT_POINTS = 9
"""Points of the lab a page opens on."""


def open_lab(browser, url, viewport=(1400, 900), points=DEFAULT_POINTS):
    """A new page on the lab, holding `points` random points if that is not the default."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url)
    lab = Lab(page)
    lab.wait_ready()
    if points != DEFAULT_POINTS:
        load_points(lab, points)
    return lab


def random_data(n, seed=1, box=(-1.5, 1.5, -1.5, 1.5)):
    """n random points of 3 classes in the view box, as plain lists."""
    import numpy as np

    rng = np.random.default_rng(seed)
    xmin, xmax, ymin, ymax = box
    X = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    return X.round(6).tolist(), rng.integers(0, 3, n).tolist()



def load_points(lab, n, seed=1):
    """Open a lab file of n random points through the Data tab's file input, as a person would,
    wait until the page shows all n, and go back to the Points tab."""
    X, y = random_data(n, seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"points-{n}.json"
        path.write_text(json.dumps({"version": 1, "X": X, "y": y}))
        lab.open_tab("Data")
        # As a person does: click the input (once it is on the page), pick in the chooser.
        with lab.page.expect_file_chooser() as chooser:
            lab.page.get_by_label("Open a lab from a JSON file").click()
        chooser.value.set_files(str(path))
        lab.page.locator("td.accuracy").filter(has_text=f"/{n})").wait_for(timeout=60_000)
    lab.open_tab("Points")
    lab.page.wait_for_timeout(500)


# -- protocol clients -----------------------------------------------------------------------------

def pull_signed_session(url, timeout_s=30):
    """Bokeh's `pull_session` for a server that signs its session ids (losslab does, with a secret
    of its own start, which a client cannot know): the session id and token are the ones the
    server put in the page it served, as a browser's are. `url` may hold a lab's query."""
    from bokeh.client.session import ClientSession
    from bokeh.client.util import websocket_url_for_server_url
    from bokeh.util.token import get_session_id

    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        page = response.read().decode("utf-8")
    token = re.search(r'"token":\s*"([^"]+)"', page).group(1)

    class PageSession(ClientSession):
        @property
        def token(self):
            return token

    session = PageSession(session_id=get_session_id(token),
                          websocket_url=websocket_url_for_server_url(url.partition("?")[0]))
    session.pull()
    return session
