"""Serving the lab on this machine, and opening it in the browser (the `losslab` command's work;
see losslab.server.options for what each option accepts)."""

import contextlib
import os
import socket
import sys

import panel as pn

from losslab.server import front_door, hooks
from losslab.session.class_hub import configure as configure_classes
from losslab.transport import picture_stream
from losslab.server.diagnostics import DIAGNOSTICS_ENV, DIAGNOSTICS_ROUTE, DiagnosticsHandler, diagnostics_enabled
from losslab.server.options import LOCALHOST_NAMES, SESSION_CHECK_PERIOD_MS, is_loopback, is_wildcard

WEBSOCKET_MAX_MESSAGE_BYTES = 8 * 1024 * 1024
"""Largest message a page may send (Bokeh's default is 20 MiB). The largest a LossLab page sends
is a lab file of at most 1 MB as text (the browser refuses a larger one before reading it); a
larger message closes that page's connection before it is read into memory."""

PARENT_CHECK_PERIOD_MS = 1000
"""How often a worker process of `--num-procs` checks that the process that started it lives."""


def create_session_app(**settings):
    """A new lab (`losslab.create_app`): losslab.page.create_app's page, and, in a served session
    (the `losslab` command, `pn.serve(create_app)`, `panel serve`), styled from this server and
    released when the session ends."""
    from panel.io.resources import get_dist_path

    from losslab.page import create_app

    doc = pn.state.curdoc
    served = doc is not None and doc.session_context is not None
    if served:
        hooks.serve_stylesheets_locally(doc, get_dist_path())
    page = create_app(**settings)
    if served:
        def release(session_context):  # Bokeh requires exactly this signature
            hooks.forget_session_callbacks(doc)

        pn.state.on_session_destroyed(release)
    return page


def spreads_connections():
    """Whether this system spreads a port's new connections evenly over the processes listening
    on it with SO_REUSEPORT (Linux does; elsewhere the option exists without the spreading)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def check_port(address, port):
    """Raise OSError if `port` cannot be listened on at `address` (in use, not allowed)."""
    from tornado import netutil

    for sock in netutil.bind_sockets(port, address):
        sock.close()


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


def serve(args):
    """Serve the lab as the parsed command line `args` says; returns the exit status."""
    for warning in args.warnings:
        print(f"losslab: warning: {warning}", file=sys.stderr)
    if os.environ.pop("BOKEH_ALLOW_WS_ORIGIN", None) is not None:
        # Bokeh would let this variable replace the origins checked; the command line decides.
        print("losslab: warning: ignoring BOKEH_ALLOW_WS_ORIGIN; use --allow-websocket-origin",
              file=sys.stderr)

    from bokeh.util.browser import view
    from bokeh.util.token import generate_secret_key
    from tornado.process import fork_processes, task_id

    if args.class_hub is not None:
        try:
            import redis  # noqa: F401  (the class hub's client)
        except ImportError:
            print("losslab: --class-hub needs the redis package: pip install 'losslab[class]'",
                  file=sys.stderr)
            return 2
    configure_classes(args.class_hub, args.num_procs)
    pn.extension()
    hooks.use_immediate_websockets()
    front_door.install()
    # Session ids and tokens are signed, so no lab can be joined by naming its session id, with
    # the secret given (the same for every backend behind a proxy) or one of this start, made
    # before any fork so that every --num-procs process signs and checks with the same one (a
    # page served by one may open its websocket on another).
    secret_key = args.secret_key or generate_secret_key().encode("utf-8")
    # A class's students in this process get the picture of its every step from one text.
    extra_patterns = [(picture_stream.ROUTE, picture_stream.StreamHandler)]
    picture_stream.served, picture_stream.origins = True, tuple(args.websocket_origins)
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
        with hooks.own_listening_socket() if own_sockets else contextlib.nullcontext():
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
                # The lab reads its address itself (losslab.page): Panel's reading of it fails
                # with a 500 on some addresses and hands some values to a Python-literal parser.
                location=False,
                http_server_kwargs={"max_header_size": front_door.MAX_HEADER_BYTES},
                websocket_max_message_size=WEBSOCKET_MAX_MESSAGE_BYTES,
                sign_sessions=True,
                secret_key=secret_key,
                generate_session_ids=True,
            )
    except OSError as error:
        print(f"losslab: cannot listen on {args.address} port {args.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0

    from losslab.session import background

    background.warm_up()  # this process's own job processes, started after any fork
    worker = task_id()  # None in a single process, else 0 … N−1
    if worker is not None:
        watch_parent(server.io_loop, parent_pid)
    if worker in (None, 0):
        url = page_url(args)
        if args.start_class and url is not None:
            url += "?class=new"
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
