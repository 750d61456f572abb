"""`losslab`: serve the lab on this machine and open it in the browser (see app/options.py for
what each option accepts)."""

import contextlib
import os
import socket
import sys

import panel as pn
from bokeh.server.urls import per_app_patterns
from panel.io.server import WSHandler

from losslab.server.diagnostics import DIAGNOSTICS_ENV, DIAGNOSTICS_ROUTE, DiagnosticsHandler, diagnostics_enabled
from losslab.server.options import (
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

    from losslab.page import create_app

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


def spreads_connections():
    """Whether this system spreads a port's new connections evenly over the processes listening
    on it with SO_REUSEPORT (Linux does; elsewhere the option exists without the spreading)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def check_port(address, port):
    """Raise OSError if `port` cannot be listened on at `address` (in use, not allowed)."""
    from tornado import netutil

    for sock in netutil.bind_sockets(port, address):
        sock.close()


@contextlib.contextmanager
def own_listening_socket():
    """Have a Bokeh server built meanwhile listen on a socket of its own with SO_REUSEPORT.

    Bokeh's own `--num-procs` binds one socket and forks: every process then waits on that socket,
    and the first to wake up accepts the whole burst of connections waiting (a class opening the
    page at once went 39 to 1). With a socket per process the kernel spreads new connections over
    them by their addresses, about evenly.
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
    from tornado.process import fork_processes, task_id

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
    own_sockets = args.num_procs > 1 and spreads_connections()
    try:
        if own_sockets:
            # Refuse a port in use here, once, rather than in every worker. Then fork: the first
            # process stays in fork_processes, waiting for its workers (and restarting one that
            # fails), and each worker goes on with a server and a socket of its own.
            check_port(args.address, args.port)
            fork_processes(args.num_procs)
        # With Bokeh's own --num-procs N > 1 (where connections cannot be spread) this forks the
        # same way, the workers sharing one socket.
        with own_listening_socket() if own_sockets else contextlib.nullcontext():
            server = pn.serve(
                create_session_app,
                port=args.port,
                address=args.address,
                websocket_origin=args.websocket_origins,
                num_procs=1 if own_sockets else args.num_procs,
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
