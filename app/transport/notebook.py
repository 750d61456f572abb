"""A lab in a notebook output: how its updates reach the browser there, and what it loads.

Served, a lab's document belongs to a Bokeh session, which sends each change and runs the
document's timers. In a notebook there is no session: Panel keeps the output's document held
for good and sends what it holds over the output's Jupyter comm whenever one of its own widgets
changes; nobody runs the document's timers; and the resources come from wherever Panel's
extension was told to load them. This module gives a lab there what a server gives it:
one message per update over its own comm (`send_held`), changes made outside any callback sent
(`flush_soon`), timers on the kernel's event loop (`call_later`), and every script and
stylesheet from the installed packages.

It relies on a few of Panel's internals, each named in `internals()` with why it is needed;
`losslab.server.hooks.check()` includes them, so a Panel release without one fails loudly.
"""

import base64
import functools
import importlib
import sys

import panel as pn
from bokeh.core.property.validation import validate
from bokeh.models import ImportedStyleSheet
from panel.config import panel_extension
from panel.custom import JSComponent
from panel.io.notebook import block_comm, push
from panel.io.resources import CDN_DIST, DIST_DIR, LOCAL_DIST
from panel.io.state import set_curdoc

from losslab.web import script_path

EXTENSIONS = {"katex": "panel.models.katex"}
"""The Panel extensions the page needs (KaTeX: the worked math), with the module of each one's
models: Panel's extension bundles the scripts of every model imported when it loads."""

RETRY_S = 0.5
"""How often an update waiting for a browser to open the output's comm tries again."""


def in_kernel():
    """Whether this Python is a Jupyter kernel (IPython is loaded by then, never imported here)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


# -- what the page loads ------------------------------------------------------------------------

def use_local_resources():
    """Have Panel's extension load BokehJS, Panel and their stylesheets from the installed
    packages (inline in the notebook) rather than from public CDNs, which a classroom without
    internet cannot reach. `PANEL_INLINE`, if set, still decides (Panel reads it first)."""
    pn.config.inline = True


_prepared = set()
"""The extensions whose models were imported before this kernel first loaded Panel's extension,
so that the bundle it loaded has their scripts, whoever asked for it."""


def prepare_kernel():
    """Ready the next `pn.extension()` of this kernel, the user's own or `load_extension`'s, to
    load everything the lab needs from the installed packages, in one bundle. Too late once it
    has been loaded (a `pn.extension()` before losslab was imported): that bundle stays. Outside
    a kernel, nothing."""
    if panel_extension._loaded or not in_kernel():
        return
    use_local_resources()
    for name, module in EXTENSIONS.items():
        importlib.import_module(module)
        _prepared.add(name)


def load_extension():
    """Load Panel's extension with what the page needs. Served, every session's page lists what
    it loads, so every session asks. In a kernel, once: nothing at all when it is loaded with
    what the page needs, only the missing extensions when a `pn.extension()` of the user's came
    first without them, and from the installed packages when it is the first."""
    if not in_kernel():
        pn.extension(*EXTENSIONS)
        return
    # Panel keeps what it has loaded on its extension class; in a kernel it publishes the whole
    # bundle (3 MB inline) again on every call.
    if panel_extension._loaded:
        missing = [name for name in EXTENSIONS
                   if name not in panel_extension._loaded_extensions and name not in _prepared]
        if not missing:
            return
    else:
        prepare_kernel()
        missing = list(EXTENSIONS)
    pn.extension(*missing)


@functools.lru_cache(maxsize=1)
def _local_stylesheets():
    """{address: data: URL} of every stylesheet Panel ships, under each address its components
    name it by (the CDN's, or the path a Panel server serves it from, each with and without the
    version query Panel appends)."""
    sheets = {}
    for folder in ("css", "bundled/theme"):
        for path in sorted((DIST_DIR / folder).glob("*.css")):
            url = "data:text/css;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
            for dist in (CDN_DIST, LOCAL_DIST):
                address = f"{dist}{folder}/{path.name}"
                sheets[address] = sheets[f"{address}?v={pn.__version__}"] = url
    return sheets


def keep_stylesheets_local(doc):
    """Make every Panel stylesheet the components of `doc` will name come from the installed
    files.

    Rendered inline, Panel swaps the stylesheets of the models it draws first for copies of the
    files, but gives a component drawn later (a tab's content, a pane that appears) its cached
    stylesheet objects, which name the CDN. Seeding the document's cache with data: URLs of the
    installed files keeps those local too (Panel leaves a data: URL as it is)."""
    cache = pn.state._stylesheets.setdefault(doc, {})
    for address, url in _local_stylesheets().items():
        if address in cache:
            cache[address].url = url
        else:
            cache[address] = ImportedStyleSheet(url=url)


# -- the output's comm ----------------------------------------------------------------------------

def comm_of(doc):
    """The Jupyter comm a notebook output of `doc` is synced over, or None (served; not shown)."""
    if doc is None or doc.session_context is not None:
        return None
    # Panel's registry of what it has rendered: {ref: (viewable, root model, document, comm)}.
    for _, _, shown, comm in list(pn.state._views.values()):
        if shown is doc and comm is not None:
            return comm
    return None


def is_open(comm):
    """Whether a browser has opened the comm (never, when nbclient or papermill runs the
    notebook: then no frame is ever reported drawn)."""
    return getattr(comm, "_comm", None) is not None


def _push(doc, comm):
    # As JSON, without binary buffers: JupyterLab delivers each buffer as two more comm messages,
    # one after the other (an update of six buffers arrived 80 ms later than its JSON).
    if is_open(comm):
        push(doc, comm, binary=False)
    else:
        _push_when_open(doc, comm)


def _push_when_open(doc, comm):
    """Send what `doc` holds once a browser opens `comm`: one waiting retry per document, where
    Panel's own push leaves a retry every 100 ms per message, for as long as no browser comes."""
    if getattr(doc, "_losslab_waiting", False):
        return
    doc._losslab_waiting = True

    def retry():
        if is_open(comm):
            doc._losslab_waiting = False
            push(doc, comm, binary=False)
        else:
            _later(RETRY_S, retry)

    _later(RETRY_S, retry)


def send_held(doc, comm, action):
    """Run `action` and send every change it makes to `doc` as one message over `comm`.

    In a notebook a Panel `hold()` without its comm drops the plain Bokeh changes made meanwhile
    (a document no session serves is never "connected"), and each Panel widget change pushes at
    once whatever the document holds so far: the browser would see half an update, and the rest
    only with the next widget change. So the document is held, Panel's pushes are blocked, and
    the whole update goes at the end."""
    blocked = pn.state._hold  # an enclosing send_held, or Panel's own block_comm
    was_held = doc.callbacks.hold_value
    if not was_held:
        doc.hold("combine")
    try:
        with block_comm(), validate(False):
            action()
    finally:
        pn.state._hold = blocked
    if not blocked:
        _push(doc, comm)
    if not was_held:
        # As it was: Panel's callback wrappers restore their own hold afterwards, and one
        # released here would make theirs fail.
        doc.unhold()


def flush_soon(doc):
    """Send what `doc` still holds once the kernel's loop is free, if it is in a notebook.

    A change no `held` wraps (a cell that sets the lab's state, a Panel widget's watcher that
    changes plain Bokeh models) stays in the notebook document's hold after Panel's last push,
    and the browser's next message would drop it unsent. Coalesced: one push for however many
    changes come before it."""
    comm = comm_of(doc)
    if comm is None or getattr(doc, "_losslab_flush", False):
        return
    doc._losslab_flush = True

    def flush():
        doc._losslab_flush = False
        _push(doc, comm)

    _later(0, flush)


# -- timers ----------------------------------------------------------------------------------------

def call_later(doc, seconds, callback):
    """Run `callback` after `seconds` on the kernel's event loop (the one that handles the
    browser's comm messages), as an action on `doc`'s page: with `doc` as Panel's current
    document, and what it changes sent in one message. Returns a function that cancels it."""

    def run():
        with set_curdoc(doc):
            comm = comm_of(doc)
            if comm is None:
                callback()
            else:
                send_held(doc, comm, callback)

    return _later(seconds, run)


def _later(seconds, callback):
    from tornado.ioloop import IOLoop

    loop = IOLoop.current()
    handle = loop.call_later(seconds, callback)
    return lambda: loop.remove_timeout(handle)


# -- the browser's side --------------------------------------------------------------------------

class EchoGuard(JSComponent):
    """Keeps a notebook output from sending back the changes it was just sent.

    Panel's comm manager in the browser applies each patch from the kernel and then reports every
    change it sees to the kernel, its own patch's too (a served page's Bokeh session skips the
    changes it applied). Each update would travel back in full, every column of every plot
    source: a Run step cost the kernel more to take back than to compute, and the kernel stayed
    busy for 19 s after Stop. Served pages have no comm manager: this does nothing there. See
    web/notebook_comm_guard.js for the part of Panel's browser code it relies on."""

    _esm = script_path("notebook_comm_guard.js")


# -- the internals relied on -------------------------------------------------------------------------

def _browser_comm_manager_has(*names):
    """Whether Panel's browser bundle defines its CommManager with these members."""
    text = (DIST_DIR / "panel.js").read_text(encoding="utf-8")
    start = text.find("class CommManager extends")
    return start >= 0 and all(name in text[start:start + 12_000] for name in names)


def internals():
    """{internal: whether this Panel still has it as the lab uses it}."""
    from bokeh.document import Document
    from panel.io.notebook import push as panel_push

    doc = Document()
    return {
        "panel.state._views maps refs to (viewable, root, document, comm)":
            isinstance(getattr(pn.state, "_views", None), dict),
        "panel.state._hold blocks notebook pushes": isinstance(getattr(pn.state, "_hold", None),
                                                               bool),
        "panel.io.notebook.push(doc, comm, binary)":
            list(__import__("inspect").signature(panel_push).parameters)[:3]
            == ["doc", "comm", "binary"],
        "panel.state._stylesheets caches stylesheets per document":
            hasattr(getattr(pn.state, "_stylesheets", None), "setdefault"),
        "panel's CSS files are in DIST_DIR/css and DIST_DIR/bundled/theme":
            (DIST_DIR / "css" / "loading.css").is_file()
            and any((DIST_DIR / "bundled" / "theme").glob("*.css")),
        "panel_extension._loaded and _loaded_extensions":
            isinstance(getattr(panel_extension, "_loaded", None), bool)
            and hasattr(getattr(panel_extension, "_loaded_extensions", None), "__contains__"),
        "each extension's models are in the module Panel imports for it":
            all(getattr(panel_extension, "_imports", {}).get(name) == module
                for name, module in EXTENSIONS.items()),
        "Document.callbacks.hold_value": hasattr(doc.callbacks, "hold_value"),
        "pyviz_comms Comm._comm is None until the browser opens it":
            _server_comm_is_closed_until_opened(),
        "the browser's CommManager listens through _document_changed and has a debounce":
            _browser_comm_manager_has("(event) => this._document_changed(event)",
                                      "_document_changed(event) {", "debounce: [Int"),
    }


def _server_comm_is_closed_until_opened():
    from pyviz_comms import JupyterComm

    return getattr(JupyterComm(), "_comm", "missing") is None
