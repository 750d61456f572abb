"""The options of the `losslab` command: what each accepts, and the websocket origins they allow.

By default the server listens on localhost only and accepts websocket connections only from pages
it served itself at http://localhost:PORT/ or http://127.0.0.1:PORT/. Serving a classroom network
(`--address`), other page origins (`--allow-websocket-origin`) and several processes
(`--num-procs`) are explicit choices.
"""

import argparse
import ipaddress
import os
import re
import sys
import urllib.parse

from losslab import __version__

DEFAULT_PORT = 5006
DEFAULT_ADDRESS = "localhost"

DEFAULT_SESSION_TIMEOUT_S = 15.0
"""How long a session whose browser tab has gone is kept before it is released.

A session is created when the page is fetched and is joined when the page's websocket connects;
the timeout also covers that gap, so it should outlast a slow laptop loading the page on a busy
classroom network. A page whose websocket comes later still works: the server then opens it a
fresh session.
"""

MIN_SESSION_TIMEOUT_S = 1.0
SESSION_CHECK_PERIOD_MS = 1000
"""How often the server looks for sessions to release (Bokeh's default is 17 s)."""

SECRET_KEY_ENV = "BOKEH_SECRET_KEY"
"""Bokeh's variable for the secret that signs session ids and tokens. Unset, each start of
`losslab` makes its own (every `--num-procs` process shares it); set to the same value for
several `losslab` commands behind one reverse proxy, so that a page served by one backend opens
its websocket on another."""

MIN_SECRET_KEY_CHARS = 32



_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ORIGIN_HOST_LABEL = re.compile(r"^(\*|(?!-)[a-z0-9-]{1,63}(?<!-))$")


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1–65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1–65535)")
    return port


def process_count(text):
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of processes") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"{count}: at least 1 process is needed")
    if count > 1 and sys.platform == "win32":
        raise argparse.ArgumentTypeError("more than 1 process is not supported on Windows")
    return count


def session_timeout(text):
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds >= MIN_SESSION_TIMEOUT_S or seconds == float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text}: the session timeout must be a finite number of seconds, "
            f"at least {MIN_SESSION_TIMEOUT_S:g}")
    return seconds


def _is_hostname(text):
    labels = text.rstrip(".").split(".")
    return len(text) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def listen_address(text):
    """An IP address or a host name of this machine, as `--address` takes it."""
    address = text.strip().lower()
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]  # [::1] as it is written in a URL
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        pass
    if not address or not _is_hostname(address):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an IP address or a host name (for example localhost, "
            "192.168.1.20 or 0.0.0.0)")
    return address


def websocket_origin(text):
    """HOST or HOST:PORT of a page address allowed to open the lab's websocket."""
    origin = text.strip().lower()
    if "://" in origin or "/" in origin:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give HOST[:PORT] as the browser shows it, without http:// or a path "
            "(for example 192.168.1.20:5006)")
    if origin.startswith("[") or origin.count(":") > 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: an IPv6 address cannot be allowed as an origin; use a host name")
    host, _, port = origin.partition(":")
    if host == "*":
        raise argparse.ArgumentTypeError(
            f"{text!r} would let a page from any site drive the lab; name the host instead")
    labels = host.rstrip(".").split(".")
    if not host or not all(_ORIGIN_HOST_LABEL.match(label) for label in labels):
        raise argparse.ArgumentTypeError(f"{text!r}: {host!r} is not a host name or IP address")
    if _ and not port:
        raise argparse.ArgumentTypeError(f"{text!r}: the port after ':' is missing")
    if port:
        port_number(port)
    return origin


LOCALHOST_NAMES = ("localhost", "127.0.0.1", "::1")
"""Addresses a browser on this machine reaches as http://localhost:PORT/."""


def is_loopback(address):
    """Whether `address` can only be reached from this machine."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def is_wildcard(address):
    """Whether `address` means every network interface (0.0.0.0 or ::)."""
    try:
        return ipaddress.ip_address(address).is_unspecified
    except ValueError:
        return False


def _is_ipv6(address):
    try:
        return ipaddress.ip_address(address).version == 6
    except ValueError:
        return False


def resolve_origins(address, port, given):
    """The websocket origins to allow, and the warnings to print about them.

    Returns (origins, warnings) or raises ValueError with what the user must add.
    """
    warnings = []
    if not is_loopback(address):
        warnings.append(
            f"LossLab is listening on {address}, not only on this machine: anyone who can reach "
            f"it on port {port} can open the lab. Use this on a network you trust (a classroom), "
            "never on a public one.")
    if given:
        for origin in given:
            if origin.endswith(":443"):
                # A browser leaves the default port out of a page's origin, so this only
                # matches a page served over plain http on port 443.
                host = origin[:-len(":443")]
                warnings.append(
                    f"--allow-websocket-origin {origin} does not match pages opened as "
                    f"https://{host}/ (browsers leave out :443); for those, give {host}")
        return list(dict.fromkeys(given)), warnings
    if address in LOCALHOST_NAMES:
        return [f"localhost:{port}", f"127.0.0.1:{port}"], warnings
    if is_loopback(address) and not _is_ipv6(address):
        return [f"{address}:{port}"], warnings  # another loopback address, such as 127.0.0.2
    if is_wildcard(address):
        raise ValueError(
            f"--address {address} listens on every network interface, so there is no one address "
            "browsers will use: name it with --allow-websocket-origin HOST:PORT (for example "
            f"--allow-websocket-origin 192.168.1.20:{port})")
    if _is_ipv6(address):
        raise ValueError(
            f"--address {address} is an IPv6 address, which cannot be allowed as an origin: "
            "name the host browsers will use with --allow-websocket-origin HOST:PORT")
    warnings.append(
        f"No --allow-websocket-origin given: the lab works only when opened as "
        f"http://{address}:{port}/. To allow another name for this machine, pass "
        "--allow-websocket-origin HOST:PORT (once per name).")
    return [f"{address}:{port}"], warnings


def secret_key_from(environ):
    """The secret given in `environ` to sign session ids with (bytes), or None for one made at
    start; raises ValueError for one too short to keep a session id from being guessed."""
    text = environ.get(SECRET_KEY_ENV)
    if text is None:
        return None
    if len(text.strip()) < MIN_SECRET_KEY_CHARS:
        raise ValueError(
            f"{SECRET_KEY_ENV} must be at least {MIN_SECRET_KEY_CHARS} characters long; make "
            "one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return text.strip().encode("utf-8")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="losslab",
        description="Serve LossLab, the linear-classifier loss lab, and open it in a browser.",
    )
    parser.add_argument("--version", action="version", version=f"losslab {__version__}")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"port to serve on (default {DEFAULT_PORT})")
    parser.add_argument("--no-show", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--address", type=listen_address, default=DEFAULT_ADDRESS, metavar="ADDR",
        help="address to listen on (default localhost: this machine only). Another address, "
             "such as this machine's classroom-network IP or 0.0.0.0 for every interface, "
             "lets other machines open the lab.")
    parser.add_argument(
        "--allow-websocket-origin", type=websocket_origin, action="append", default=[],
        dest="origins", metavar="HOST[:PORT]",
        help="a page address (as the browser shows it) allowed to use the lab; repeat for "
             "several. Default: localhost:PORT and 127.0.0.1:PORT, or ADDR:PORT with --address.")
    parser.add_argument(
        "--num-procs", type=process_count, default=1, metavar="N",
        help="serve from N processes (default 1); each browser tab's lab lives in one of them")
    parser.add_argument(
        "--session-timeout", type=session_timeout, default=DEFAULT_SESSION_TIMEOUT_S,
        metavar="SECONDS",
        help="release a lab this many seconds after its browser tab was closed "
             f"(default {DEFAULT_SESSION_TIMEOUT_S:g}, at least {MIN_SESSION_TIMEOUT_S:g})")
    parser.add_argument(
        "--class", action="store_true", dest="start_class",
        help="open the lab as a teacher starting a class (its page shows the students' link "
             "and QR code)")
    parser.add_argument(
        "--class-hub", type=class_hub_url, default=None, metavar="redis://HOST:PORT",
        help="share classes between processes and hosts through this Redis server (needs the "
             "'class' extra: pip install 'losslab[class]'); without it each process keeps its "
             "own, and a class needs --num-procs 1")
    return parser


def class_hub_url(text):
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Redis address (redis://HOST:PORT)")
    try:
        parts.port
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} has no valid port") from None
    return text


def parse_args(argv=None):
    """The command line, with `websocket_origins` and `warnings` worked out from it, and the
    `secret_key` of the environment (None: made at start)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.websocket_origins, args.warnings = resolve_origins(args.address, args.port,
                                                                args.origins)
        args.secret_key = secret_key_from(os.environ)
    except ValueError as error:
        parser.error(str(error))
    return args
