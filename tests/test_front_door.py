"""Every request to `losslab` gets an answer a person can read, over plain HTTP: an odd address
gets the page (whose lab says what it refused), an over-long one a 414 page, a bad path a 400,
never a 5xx and never an empty response; and no session is joined by naming its id."""

import os
import struct

import pytest
from bokeh.util.token import check_session_id_signature, get_session_id

from losslab.server.front_door import MAX_TARGET_CHARS, refusal, without_session_keys
from tests.browser.conftest import server  # noqa: F401 (the server `losslab`, a fixture)
from tests.raw_http import open_websocket, page_token, read_frame, request


def page_session_id(page):
    return get_session_id(page_token(page))


@pytest.mark.parametrize("target", [
    "/??", "/?loss=softmax&note=why?", "/?seed=" + "1" * 4301, "/?W=[1,2]", "/?loss={'a':1}",
    "/?loss=%ff", "/?%", "/?seed=%00", "/?=&&=", "/?" + "&" * 150,
])
def test_an_odd_address_gets_the_page(server, target):
    status, _, body = request(server, target)
    assert status == 200, (status, body[:300])
    assert "<title>LossLab</title>" in body


@pytest.mark.parametrize("target", [
    "/static/%00", "/static/a%00b.js", "/%00", "/static/extensions/panel/%00", "/static/%ff",
    "/panel_dist/%00", "/static/%0a", "/ws", "/autoload.js", "/static/" + "a" * 5000,
    "/static/../../etc/passwd", "/favicon.ico%00",
])
def test_no_request_gets_a_5xx(server, target):
    status, _, _ = request(server, target)
    assert status is not None and 400 <= status < 500, status


@pytest.mark.parametrize("length", [65_244, 66_000])
def test_a_long_link_within_what_the_lab_reads_gets_the_page(server, length):
    # 65,244 characters is a link the lab itself once wrote; Tornado dropped it unanswered.
    status, _, body = request(server, "/?X=" + "1" * length)
    assert status == 200 and "<title>LossLab</title>" in body


@pytest.mark.parametrize("length", [MAX_TARGET_CHARS, 1_000_000, 2_000_000])
def test_an_over_long_address_gets_a_readable_414(server, length):
    status, _, body = request(server, "/?X=" + "1" * length)
    assert status == 414
    assert "LossLab could not open this address" in body and "JSON file" in body


def test_an_address_of_too_many_fields_gets_a_readable_400(server):
    status, _, body = request(server, "/?" + "&" * 5000)
    assert status == 400 and "more than 200 fields" in body


def test_an_address_naming_a_session_opens_a_new_lab_with_the_rest_of_it(server):
    status, head, _ = request(server, "/?loss=softmax&bokeh-session-id=forged&seed=3")
    assert status == 303 and "\r\nLocation: /?loss=softmax&seed=3\r\n" in head + "\r\n"
    status, head, _ = request(server, "/?bokeh-token=forged")
    assert status == 303 and "\r\nLocation: /\r\n" in head + "\r\n"


def test_session_ids_are_signed_and_a_forged_one_is_refused(server):
    ids = [page_session_id(request(server, "/")[2]) for _ in range(2)]
    assert ids[0] != ids[1]
    assert all("." in session_id for session_id in ids), "a signed id carries its signature"
    assert not check_session_id_signature(ids[0], secret_key=b"not the server's", signed=True)
    status, _, _ = request(server, "/", headers=["Bokeh-Session-Id: forged"])
    assert status == 403


def test_the_rules_in_plain_terms():
    assert refusal("/?loss=softmax") is None and refusal("/static/js/a.js") is None
    assert refusal("/static/%00")[0] == 400 and refusal("/%c3%28")[0] == 400
    assert refusal("/" * 2000)[0] == 414 and refusal("/?" + "x" * MAX_TARGET_CHARS)[0] == 414
    assert without_session_keys("/?a=1") is None and without_session_keys("/") is None
    assert without_session_keys("/?Bokeh-Session-Id=x") == "/"


def test_a_message_larger_than_a_page_sends_closes_only_its_own_connection(server):
    from losslab.server.serving import WEBSOCKET_MAX_MESSAGE_BYTES

    with open_websocket(server, page_token(request(server, "/")[2])) as sock:
        # Only the header of a text frame one byte over the limit (masked, as a client's must
        # be): the server refuses it by its declared length, before any of it is read.
        sock.sendall(bytes([0x81, 0x80 | 127]) + struct.pack("!Q", WEBSOCKET_MAX_MESSAGE_BYTES + 1)
                     + os.urandom(4))
        opcode = None
        while opcode != 0x8:  # past the session's own messages, to the close frame
            opcode, payload = read_frame(sock)
        assert struct.unpack("!H", payload[:2])[0] == 1009  # "message too big"
    status, _, body = request(server, "/")
    assert status == 200 and "<title>LossLab</title>" in body
