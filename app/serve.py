"""`losslab`: serve the lab on this machine and open it in the browser."""

import argparse

import panel as pn


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
