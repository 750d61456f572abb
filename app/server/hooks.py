"""The private Bokeh and Panel internals the `losslab` server relies on, each kept only because
a measurement or a failure showed it is needed, with the reason beside it.

`check()` names every internal used here, those a lab in a notebook relies on
(losslab.transport.notebook, where the page's layers can reach them) and the one Param store a
quiet step writes into (losslab.session.param_store), and fails with a clear
message when one is gone (a new Bokeh or Panel release): `tests/test_structure.py` runs it, and
the package's dependencies stop below the next minor releases, which have not been tested.
"""

import contextlib

from bokeh.server.urls import per_app_patterns
from panel.io.server import WSHandler

class ImmediateWSHandler(WSHandler):
    """Panel's websocket handler with Nagle's algorithm off.

    An update goes out as a burst of small websocket frames; with Nagle's algorithm on, each burst
    waits for the browser's delayed acknowledgement (about 40 ms), which alone capped a run at a
    dozen frames a second.
    """

    def open(self, *args, **kwargs):
        self.set_nodelay(True)
        return super().open(*args, **kwargs)


def use_immediate_websockets():
    """Serve every Bokeh/Panel app started after this call with `ImmediateWSHandler`.

    The route table is module state read when the server is built, before `--num-procs` forks its
    workers, so every worker serves websockets with this handler too.
    """
    per_app_patterns[:] = [(path, ImmediateWSHandler if path == r"/ws" else handler)
                           for path, handler in per_app_patterns]


@contextlib.contextmanager
def own_listening_socket():
    """Have a Bokeh server built meanwhile listen on a socket of its own with SO_REUSEPORT.

    Bokeh's own `--num-procs` binds one socket and forks: every process then waits on that socket,
    and the first to wake up accepts the whole burst of connections waiting (a class opening the
    page at once went 39 to 1). With a socket per process the kernel spreads new connections over
    them by their addresses, about evenly (20 to 20). Bokeh has no option for this.
    """
    import bokeh.server.server as bokeh_server
    from tornado import netutil

    def bind_sockets(address, port):  # Bokeh's signature and result (sockets, port)
        sockets = netutil.bind_sockets(port, address, reuse_port=True)
        return sockets, sockets[0].getsockname()[1]

    shared, bokeh_server.bind_sockets = bokeh_server.bind_sockets, bind_sockets
    try:
        yield
    finally:
        bokeh_server.bind_sockets = shared


def serve_stylesheets_locally(doc, dist_url):
    """Have the widgets of a session's document load their stylesheets from this server.

    Panel tells a session's widgets to load their stylesheets from this server only when its page
    handler served the session. A session that a websocket opens instead — its page came from
    another process of --num-procs, or its first session timed out before a slow page connected —
    would load them from Panel's CDN, which a classroom without internet cannot reach (the
    session test opens such a page and sees every request stay on the machine).
    """
    doc._template_variables.setdefault("dist_url", dist_url)


def forget_session_callbacks(doc):
    """Drop the callbacks an ended session's document still lists (a Run step, an address write
    that were waiting).

    The server no longer runs them, but Bokeh's `Document.destroy` leaves the list in place, and
    Panel's server-wide tasks can keep a dead document alive (in the context they were started
    from), and with it, through those callbacks, a whole lab (the session test counts the lab
    states left after 20 tabs closed).
    """
    doc.callbacks._session_callbacks.clear()


def internals():
    """{internal: whether this Bokeh and Panel still have it as the lab uses it}."""
    import inspect

    import bokeh.server.server as bokeh_server
    from bokeh.document import Document

    from losslab.session import param_store
    from losslab.transport import notebook

    doc = Document()
    bind = getattr(bokeh_server, "bind_sockets", None)
    return {
        **notebook.internals(),
        **param_store.internals(),
        "bokeh.server.urls.per_app_patterns holds the /ws route":
            any(path == r"/ws" for path, _ in per_app_patterns),
        "panel.io.server.WSHandler is a websocket handler": hasattr(WSHandler, "set_nodelay"),
        "bokeh.server.server.bind_sockets(address, port)":
            callable(bind) and list(inspect.signature(bind).parameters)[:2] == ["address", "port"],
        "Document._template_variables is a dict":
            isinstance(getattr(doc, "_template_variables", None), dict),
        "Document.callbacks._session_callbacks can be cleared":
            hasattr(getattr(doc.callbacks, "_session_callbacks", None), "clear"),
    }


def check():
    """Raise RuntimeError naming every internal that this Bokeh or Panel no longer has."""
    missing = [name for name, present in internals().items() if not present]
    if missing:
        import bokeh
        import panel

        raise RuntimeError(
            f"LossLab relies on internals that Bokeh {bokeh.__version__} / Panel "
            f"{panel.__version__} no longer have: {'; '.join(missing)}. See losslab.server.hooks.")
