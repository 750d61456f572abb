"""Talking to a `losslab` over a bare socket, as no browser would: any request line, any
websocket frame, and an empty answer seen as such."""

import base64
import os
import re
import socket
import struct
import urllib.parse
from contextlib import contextmanager


def request(url, target, headers=()):
    """(status, headers text, body) of a raw GET of `target`; status None for an empty answer."""
    parsed = urllib.parse.urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=60) as sock:
        lines = [f"GET {target} HTTP/1.1", f"Host: {parsed.netloc}", "Connection: close",
                 *headers, "", ""]
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    if not data:
        return None, "", ""
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1"), body.decode("utf-8", "replace")


def page_token(page):
    """The session token a served page carries (its session id, signed, and its address)."""
    return re.search(r'"token":\s*"([^"]+)"', page).group(1)


@contextmanager
def open_websocket(url, token):
    """A socket past the websocket handshake of the lab at `url`, presenting `token`."""
    parsed = urllib.parse.urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall("\r\n".join([
            "GET /ws HTTP/1.1", f"Host: {parsed.netloc}", "Upgrade: websocket",
            "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
            f"Sec-WebSocket-Protocol: bokeh, {token}", "", ""]).encode("latin-1"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)
            if not chunk:
                raise ConnectionError("the server closed the connection during the handshake")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        yield sock


def read_frame(sock):
    """(opcode, payload) of the next websocket frame the server sends (never masked)."""
    def read(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the server closed the connection without a close frame")
            data += chunk
        return data

    first, second = read(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read(8))[0]
    return first & 0x0F, read(length)
