"""`losslab`: serve the lab on this machine and open it in the browser."""

import argparse

import panel as pn
from bokeh.server.urls import per_app_patterns
from panel.io.server import WSHandler


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
    """Serve every Bokeh/Panel app started after this call with `ImmediateWSHandler`."""
    per_app_patterns[:] = [(path, ImmediateWSHandler if path == r"/ws" else handler)
                           for path, handler in per_app_patterns]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="losslab",
        description="Serve LossLab, the linear-classifier loss lab, and open it in a browser.",
    )
    parser.add_argument("--port", type=int, default=5006, help="port to serve on (default 5006)")
    parser.add_argument("--no-show", action="store_true", help="do not open a browser")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from app.page import create_app

    pn.extension()
    use_immediate_websockets()
    pn.serve(
        create_app,
        port=args.port,
        address="localhost",
        websocket_origin=[f"localhost:{args.port}", f"127.0.0.1:{args.port}"],
        show=not args.no_show,
        title="LossLab",
        threaded=False,
    )


if __name__ == "__main__":
    main()
