"""Payload per update: the bytes the server sends the browser for each step of a Run.

    python benchmarks/payload.py [--seconds 10] [--points 9]

Serves LossLab with `losslab --port P --no-show`, opens it in headless Chromium, presses Run and
records every websocket frame Chromium receives (Chrome DevTools Protocol:
Network.webSocketFrameReceived; a binary frame's payload is base64 there and is counted decoded).

Frames are grouped into Bokeh protocol messages (a header frame, metadata, content, then a
reference and a binary frame per buffer), and messages into updates: an update starts with the
message that tells the page's frame a new update was sent (a change of its `sent`, made in
the same message as the step's changes) and holds every message up to the next one (the loss
history sent a few times a second, the data table's values, ...). Printed: the
median and 95th percentile of bytes per update, the mean (all bytes received / steps taken), the
largest parts of a typical update, and the bytes the browser sends back per update.

Target: median ≤ 3 KB (3072 bytes) per update at N = 9.
"""

import argparse
import base64
import contextlib
import json
import re
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from _harness import launch_chromium, load_average, open_lab, served  # noqa: E402

TARGET_BYTES = 3 * 1024
CLOCK_SENT = re.compile(r'"attr":"sent"')


def frame_bytes(params):
    """Payload bytes of one frame from a Network.webSocketFrame* event."""
    response = params["response"]
    data = response["payloadData"]
    if response["opcode"] == 2:  # binary: base64 in the protocol
        return len(base64.b64decode(data))
    return len(data.encode("utf-8"))


def messages(frames):
    """Bokeh protocol messages from (opcode, bytes, text) frames: (bytes, msgtype, content text,
    {buffer id: bytes}) each."""
    result = []
    i = 0
    while i < len(frames):
        _, size, text = frames[i]
        try:
            header = json.loads(text)
        except (TypeError, ValueError):
            header = None
        if not isinstance(header, dict) or "msgtype" not in header:
            i += 1  # not a message's first frame: recording began inside a message
            continue
        parts = 3 + 2 * int(header.get("num_buffers", 0))
        group = frames[i:i + parts]
        content = group[2][2] if len(group) > 2 else ""
        buffers = {}
        for ref, payload in zip(group[3::2], group[4::2]):
            with contextlib.suppress(TypeError, ValueError, KeyError):
                buffers[json.loads(ref[2])["id"]] = ref[1] + payload[1]
        result.append((sum(f[1] for f in group), header.get("msgtype", "?"), content or "",
                       buffers))
        i += parts
    return result


def _buffer_ids(value):
    """Ids of the binary buffers a piece of a PATCH-DOC content refers to."""
    if isinstance(value, dict):
        if value.get("type") == "bytes" and isinstance(value.get("data"), dict):
            yield value["data"].get("id")
        for item in value.values():
            yield from _buffer_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _buffer_ids(item)


def parts_of(content, buffers):
    """(bytes, description) of each change in a PATCH-DOC content, its buffers included."""
    try:
        events = json.loads(content)["events"]
    except (ValueError, KeyError, TypeError):
        return []
    parts = []
    for event in events:
        size = len(json.dumps(event, separators=(",", ":")))
        size += sum(buffers.get(ref, 0) for ref in _buffer_ids(event))
        what = f"{event.get('kind', '?')}.{event.get('attr', '?')}"
        new = event.get("new", event.get("data"))
        if isinstance(new, dict) and new.get("type") == "map":
            new = {entry[0]: None for entry in new.get("entries", [])}
        if isinstance(new, dict) and event.get("kind") in ("ColumnDataChanged", "ColumnsStreamed"):
            what += f" [{','.join(str(k) for k in new)[:60]}]"
        elif new is not None:
            what += f" = {json.dumps(new)[:50]}"
        parts.append((size, what))
    return parts


def measure(url, points, seconds):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            lab = open_lab(browser, url, points=points)
            page = lab.page
            cdp = page.context.new_cdp_session(page)
            received, sent = [], []
            recording = {"on": False}

            def on_received(params):
                if recording["on"]:
                    response = params["response"]
                    text = response["payloadData"] if response["opcode"] == 1 else None
                    received.append((response["opcode"], frame_bytes(params), text))

            def on_sent(params):
                if recording["on"]:
                    sent.append(frame_bytes(params))

            cdp.on("Network.webSocketFrameReceived", on_received)
            cdp.on("Network.webSocketFrameSent", on_sent)
            cdp.send("Network.enable")
            lab.click("Run")
            page.wait_for_timeout(1000)  # past the first updates
            steps_before = lab.readout("Steps")
            recording["on"] = True
            page.wait_for_timeout(seconds * 1000)
            recording["on"] = False
            steps_after = lab.readout("Steps")
            lab.click("Stop")
        finally:
            browser.close()
    return received, sent, steps_after - steps_before


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--points", type=int, default=9, help="data points (9 … 2000)")
    args = parser.parse_args()
    before = load_average()
    with served() as (_, url):
        received, sent, steps = measure(url, args.points, args.seconds)

    # Start at the first message of an update; drop the last, cut short, update.
    msgs = messages(received)
    starts = [k for k, (_, kind, content, _) in enumerate(msgs)
              if kind == "PATCH-DOC" and CLOCK_SENT.search(content)]
    updates = [msgs[a:b] for a, b in zip(starts, starts[1:])]
    per_update = [sum(m[0] for m in update) for update in updates]
    median = statistics.median(per_update)
    print(f"Run for {args.seconds:.0f} s at N = {args.points} points: {steps:.0f} steps, "
          f"{len(updates)} whole updates seen, {len(received)} frames received")
    verdict = "" if args.points != 9 else \
        f"  (target median ≤ {TARGET_BYTES:,}: {'met' if median <= TARGET_BYTES else 'NOT met'})"
    print(f"bytes per update: median {median:,.0f}, p95 {np.percentile(per_update, 95):,.0f}, "
          f"mean {sum(f[1] for f in received) / max(steps, 1):,.0f} (all bytes / steps)"
          f"{verdict}")
    print(f"bytes the browser sends back per update: "
          f"{sum(sent) / max(len(updates), 1):,.0f} (mean)")

    # What a typical update is made of: the update nearest the median, change by change.
    typical = min(updates, key=lambda update: abs(sum(m[0] for m in update) - median))
    print("\na typical update, change by change (bytes, with its binary buffers):")
    for size, kind, content, buffers in typical:
        print(f"  {size:>8,}  {kind} message")
        for part_size, what in sorted(parts_of(content, buffers), reverse=True):
            print(f"  {part_size:>10,}  {what}")
    print(f"\nload average before: {before}, after: {load_average()}")


if __name__ == "__main__":
    main()
