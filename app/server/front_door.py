"""The server's front door: every request is looked at before Bokeh's or Panel's handlers see it.

A request no handler should get is answered here, with a short page a person can read:

- an address longer than the lab reads (a link is at most MAX_QUERY_CHARS of query): 414;
- a query of more fields than MAX_QUERY_FIELDS (Tornado answers more than its own limit with an
  empty 400): 400;
- a path holding a control character (a null byte makes Tornado's static files fail with a 500)
  or percent-escapes that are not UTF-8: 400;
- a page address that names a session (`bokeh-session-id`, `bokeh-token`): 303 to the same
  address without it, so the tab opens a lab of its own (sessions are signed: a session is never
  joined by naming its id).

Tornado reads at most `max_header_size` bytes of request line and headers and drops a longer
request without an answer; `MAX_HEADER_BYTES` is what `losslab` gives it, so every address a
browser can send is read whole and answered.

Installed with Tornado's public `Configurable.configure`, process-wide: the HTTPServer that
`pn.serve` builds is then a `LabHTTPServer`, which wraps each request's message delegate (Tornado's
public interface for a request being read) in a `RequestGuard`.
"""

import html
import urllib.parse

from tornado import httputil
from tornado.httpserver import HTTPServer

from losslab.session.share_codec import MAX_QUERY_CHARS

MAX_PATH_CHARS = 1024
"""Longest path (before the query) handed on: the lab's own paths are short."""

MAX_TARGET_CHARS = MAX_PATH_CHARS + 1 + 3 * MAX_QUERY_CHARS
"""Longest request target (path and query, percent-encoded: a character may take three) handed
on to the lab, which refuses a query past MAX_QUERY_CHARS itself, with a message on its page."""

MAX_HEADER_BYTES = 2 * 1024 * 1024 + 64 * 1024
"""Request line and headers Tornado reads before it drops a request unanswered (its default is
64 KiB, shorter than links the lab once wrote). Chromium sends no URL longer than 2 MiB, so every
address a browser sends is read, and one too long gets the 414 page."""

MAX_QUERY_FIELDS = 200
"""Most fields a query handed on may have: a shared lab has fewer than 30, and the lab refuses
more than twice that with a message on its page."""

SESSION_KEYS = ("bokeh-session-id", "bokeh-token")
"""Query keys with which Bokeh lets a page request name the session it joins."""

_CONTROL = frozenset(map(chr, range(0x20))) | {"\x7f"}


def refusal(target):
    """(status, reason, message) for a request target the lab does not hand on, else None.
    `target`: the request line's target as sent (path and query, percent-encoded)."""
    if len(target) > MAX_TARGET_CHARS:
        return (414, "URI Too Long",
                f"This address is {len(target):,} characters long; LossLab opens addresses of "
                f"up to {MAX_TARGET_CHARS:,}. A lab with many points is shared as a JSON file "
                "(Data tab: Download this lab as JSON), not as a link.")
    path, _, query = target.partition("?")
    if query.count("&") >= MAX_QUERY_FIELDS:
        return (400, "Bad Request", f"This address's query has more than {MAX_QUERY_FIELDS} "
                                    "fields; a LossLab link has fewer than 30.")
    if len(path) > MAX_PATH_CHARS:
        return (414, "URI Too Long", f"This address's path is longer than {MAX_PATH_CHARS:,} "
                                     "characters; LossLab has no such page.")
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return (400, "Bad Request", "This address's path is not UTF-8 text.")
    if not _CONTROL.isdisjoint(decoded):
        return (400, "Bad Request", "This address's path holds a control character.")
    return None


def without_session_keys(target):
    """The address `target` without SESSION_KEYS in its query, or None if it names none."""
    path, _, query = target.partition("?")
    if not query:
        return None
    pairs = query.split("&")
    kept = [pair for pair in pairs
            if urllib.parse.unquote_plus(pair.partition("=")[0]).lower() not in SESSION_KEYS]
    if len(kept) == len(pairs):
        return None
    return path + ("?" + "&".join(kept) if kept else "")


def refusal_page(status, reason, message):
    """The short page of a refused request (UTF-8 bytes)."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>LossLab: {status} {html.escape(reason)}</title></head>"
        "<body style='font-family: sans-serif; max-width: 40em; margin: 3em auto'>"
        f"<h1>LossLab could not open this address</h1><p>{html.escape(message)}</p>"
        "<p><a href='/'>Open the lab</a></p></body></html>"
    ).encode("utf-8")


class RequestGuard(httputil.HTTPMessageDelegate):
    """Hands a request on to the application's delegate, or answers it here."""

    def __init__(self, delegate, connection):
        self._delegate, self._connection = delegate, connection
        self._passed = False

    def headers_received(self, start_line, headers):
        if not isinstance(start_line, httputil.RequestStartLine):
            self._passed = True
            return self._delegate.headers_received(start_line, headers)
        target, extra = start_line.path, {}
        refused = refusal(target)
        if refused is None:
            elsewhere = without_session_keys(target) if start_line.method == "GET" else None
            if elsewhere is None:
                self._passed = True
                return self._delegate.headers_received(start_line, headers)
            refused = (303, "See Other", "This address named a session; a new lab opens instead.")
            extra = {"Location": elsewhere}
        status, reason, message = refused
        body = refusal_page(status, reason, message)
        self._connection.write_headers(
            httputil.ResponseStartLine("HTTP/1.1", status, reason),
            httputil.HTTPHeaders({"Content-Type": "text/html; charset=UTF-8",
                                  "Content-Length": str(len(body)), "Connection": "close",
                                  "Cache-Control": "no-store", **extra}),
            body)
        self._connection.finish()
        return None

    def data_received(self, chunk):
        return self._delegate.data_received(chunk) if self._passed else None

    def finish(self):
        if self._passed:
            self._delegate.finish()

    def on_connection_close(self):
        if self._passed:
            self._delegate.on_connection_close()


class LabHTTPServer(HTTPServer):
    """Tornado's HTTPServer with every request passing a `RequestGuard` first."""

    def start_request(self, server_conn, request_conn):
        return RequestGuard(super().start_request(server_conn, request_conn), request_conn)


def install():
    """Have every HTTPServer built from now on in this process be a `LabHTTPServer` (process-wide:
    for the `losslab` command, never for a notebook's or another program's server)."""
    HTTPServer.configure(LabHTTPServer)
