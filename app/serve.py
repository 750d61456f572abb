"""`losslab`: serve the lab on this machine and open it in the browser (see app/options.py for
what each option accepts)."""

import os
import sys

import panel as pn
from bokeh.server.urls import per_app_patterns
from panel.io.server import WSHandler

from app.diagnostics import DIAGNOSTICS_ENV, DIAGNOSTICS_ROUTE, DiagnosticsHandler, diagnostics_enabled
from app.options import (
    LOCALHOST_NAMES,
    SESSION_CHECK_PERIOD_MS,
    is_loopback,
    is_wildcard,
    parse_args,
)

PARENT_CHECK_PERIOD_MS = 1000
"""How often a worker process of `--num-procs` checks that the process that started it lives."""


class ImmediateWSHandler(WSHandler):
    """Panel's websocket handler with Nagle's algorithm off.

    An update goes out as a burst of small websocket frames; with Nagle's algorithm on, each burst
    waits for the browser's delayed acknowledgement (about 40 ms), which alone would cap a run at
    a dozen frames a second.
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


def create_session_app():
    """One browser session's lab, styled from this server."""
    from panel.io.resources import get_dist_path

    from app.page import create_app

    doc = pn.state.curdoc
    in_session = doc is not None and doc.session_context is not None
    if in_session:
        # Panel tells a session's widgets to load their stylesheets from this server only when
        # its page handler served the session. A session that a websocket opens instead — its
        # page came from another process of --num-procs, or its first session timed out before
        # a slow page connected — would load them from Panel's CDN, which a classroom without
        # internet cannot reach.
        doc._template_variables.setdefault("dist_url", get_dist_path())
    return create_app()


def page_url(args):
    """Where a person opens the lab."""
    if args.address in LOCALHOST_NAMES:
        return f"http://localhost:{args.port}/"
    if is_wildcard(args.address):
        origin = args.websocket_origins[0]
        return None if "*" in origin else f"http://{origin}/"
    return f"http://{args.address}:{args.port}/"


def watch_parent(io_loop, parent_pid):
    """Stop this worker when the process that started it has gone.

    With `--num-procs` the first process only waits for its workers; if it is killed, they
    would otherwise go on serving (and holding the port) on their own.
    """
    from tornado.ioloop import PeriodicCallback

    def check():
        if os.getppid() != parent_pid:
            io_loop.stop()

    PeriodicCallback(check, PARENT_CHECK_PERIOD_MS).start()


def main(argv=None):
    args = parse_args(argv)
    for warning in args.warnings:
        print(f"losslab: warning: {warning}", file=sys.stderr)
    if os.environ.pop("BOKEH_ALLOW_WS_ORIGIN", None) is not None:
        # Bokeh would let this variable replace the origins checked; the command line decides.
        print("losslab: warning: ignoring BOKEH_ALLOW_WS_ORIGIN; use --allow-websocket-origin",
              file=sys.stderr)

    from bokeh.util.browser import view
    from tornado.process import task_id

    pn.extension()
    use_immediate_websockets()
    extra_patterns = []
    if diagnostics_enabled():
        if is_loopback(args.address):
            extra_patterns.append((DIAGNOSTICS_ROUTE, DiagnosticsHandler))
        else:  # a route meant for tests has no business on a classroom network
            print(f"losslab: warning: {DIAGNOSTICS_ENV} is ignored with --address {args.address}",
                  file=sys.stderr)
    lifetime_ms = int(args.session_timeout * 1000)
    parent_pid = os.getpid()
    try:
        # With --num-procs N > 1 this forks: the first process stays here, waiting for its
        # workers, and each worker returns from it with its own copy of the server.
        server = pn.serve(
            create_session_app,
            port=args.port,
            address=args.address,
            websocket_origin=args.websocket_origins,
            num_procs=args.num_procs,
            unused_session_lifetime_milliseconds=lifetime_ms,
            check_unused_sessions_milliseconds=min(SESSION_CHECK_PERIOD_MS, lifetime_ms),
            extra_patterns=extra_patterns,
            show=False,
            start=False,
            verbose=False,
            title="LossLab",
            threaded=False,
        )
    except OSError as error:
        print(f"losslab: cannot listen on {args.address} port {args.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0

    worker = task_id()  # None in a single process, else 0 … N−1
    if worker is not None:
        watch_parent(server.io_loop, parent_pid)
    if worker in (None, 0):
        url = page_url(args)
        processes = f" from {args.num_procs} processes" if args.num_procs > 1 else ""
        print(f"LossLab is serving at {url or args.websocket_origins}{processes}", flush=True)
        if not args.no_show and url is not None:
            server.io_loop.add_callback(view, url, new="tab")
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
