"""The protocol's floor, the reference of the server benchmarks: a bare Bokeh document that, per
update, replaces the data of one ColumnDataSource holding as many bytes as a LossLab update, and
counts its updates the way LossLab's Run does (a `sent` number the page answers with `drawn`).

No lab computes anything there: what it costs is Bokeh's own work of changing a model, building
the PATCH-DOC message and (served) writing it and reading the page's answer. LossLab's server
CPU per update is reported as a multiple of it, measured in the same run.
"""

import json
import os
import sys

import numpy as np
from bokeh.core.properties import Int
from bokeh.model import DataModel
from bokeh.models import ColumnDataSource
from bokeh.protocol import Protocol

PROTOCOL = Protocol()
VARIANTS = 16
"""Updates prepared in advance and sent in turn: the floor is Bokeh's work, not making numbers."""


class FloorPace(DataModel):
    """The floor's pacing counters, as LossLab's Frame has them."""

    sent = Int(0)
    drawn = Int(0)


def columns(n, k, seed):
    """k float columns of n rows, as LossLab puts them on the wire: up to 64 values as lists of 8
    significant digits, more as arrays."""
    rng = np.random.default_rng(seed)
    out = {}
    for j in range(k):
        v = rng.standard_normal(n)
        out[f"c{j}"] = [float(f"{x:.8g}") for x in v.tolist()] if n <= 64 else v
    return out


def message_bytes(msg):
    """Bytes of a Bokeh protocol message as it goes on the websocket (one frame per part)."""
    size = len(msg.header_json) + len(msg.metadata_json) + len(msg.content_json)
    for buffer in msg.buffers:
        size += len(json.dumps(buffer.ref)) + len(buffer.to_bytes())
    return size


class Floor:
    """The bare document: one source of n rows and k columns, and the pacing counters."""

    def __init__(self, doc, n, k):
        self.doc = doc
        self.prepared = [columns(n, k, seed) for seed in range(VARIANTS)]
        self.source = ColumnDataSource(self.prepared[0])
        self.pace = FloorPace()
        doc.add_root(self.source)
        doc.add_root(self.pace)
        self.count = 0

    def update(self):
        """One update, sent as one message: new data for the source and the next `sent`."""
        self.count += 1
        self.doc.hold("combine")
        self.source.data = dict(self.prepared[self.count % VARIANTS])
        self.pace.sent += 1
        self.doc.unhold()

    def held_events(self):
        """One update's changes as collected for its message (in-process, no session)."""
        self.count += 1
        self.doc.hold("combine")
        self.source.data = dict(self.prepared[self.count % VARIANTS])
        self.pace.sent += 1
        events = list(self.doc.callbacks._held_events)
        self.doc.callbacks._held_events = []
        self.doc.unhold()
        return events

    def serve_paced(self):
        """Update on every `drawn` the page reports, as LossLab's Run does."""
        self.pace.on_change("drawn", lambda attr, old, new: self.doc.add_next_tick_callback(self.update))


def columns_matching(n, target_bytes):
    """How many columns of n rows make an update message of about `target_bytes`."""
    from bokeh.document import Document

    sizes = []
    for k in (1, 2):
        floor = Floor(Document(), n, k)
        events = floor.held_events()
        sizes.append(message_bytes(PROTOCOL.create("PATCH-DOC", events)))
    per_column, overhead = sizes[1] - sizes[0], 2 * sizes[0] - sizes[1]
    return max(1, round((target_bytes - overhead) / per_column))


def serve_floor(port, n, k, core=None):
    """Serve the bare document on `port` until killed (run in a process of its own), with Nagle's
    algorithm off on its websockets as LossLab's server has it; on CPU `core` if given."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    from bokeh.application import Application
    from bokeh.application.handlers.function import FunctionHandler
    from bokeh.server.server import Server
    from bokeh.server.views.ws import WSHandler

    def make(doc):
        Floor(doc, n, k).serve_paced()

    opened = WSHandler.open

    def open_without_nagle(self, *args, **kwargs):
        self.set_nodelay(True)
        return opened(self, *args, **kwargs)

    WSHandler.open = open_without_nagle
    server = Server({"/": Application(FunctionHandler(make))}, port=port, address="127.0.0.1",
                    allow_websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"])
    server.start()
    sys.stdout.flush()
    server.io_loop.start()
