"""An opt-in, read-only look inside a running server, for the tests: its sessions, their Run
timers and lab states. Off unless the server starts with LOSSLAB_DIAGNOSTICS=1 on localhost."""

import gc
import json
import os

from tornado.web import RequestHandler

DIAGNOSTICS_ENV = "LOSSLAB_DIAGNOSTICS"
"""Set to 1 to add the read-only /diagnostics route, for tests; never on by default, and never
when serving a network address."""
DIAGNOSTICS_ROUTE = r"/diagnostics"


def diagnostics_enabled(environ=None):
    return (os.environ if environ is None else environ).get(DIAGNOSTICS_ENV) == "1"


def count_live_objects():
    """Running periodic callbacks of sessions and of the server, and LabState objects, in this
    process."""
    from panel.io.callbacks import PeriodicCallback

    from app.state import LabState

    gc.collect()
    counts = {"periodic_callbacks": 0, "server_periodic_callbacks": 0, "lab_states": 0}
    for obj in gc.get_objects():
        if isinstance(obj, PeriodicCallback) and obj.running:
            # A callback started inside a session runs on that session's document; Panel's own
            # housekeeping runs on the server's loop with no document.
            in_session = getattr(obj, "_doc", None) is not None
            counts["periodic_callbacks" if in_session else "server_periodic_callbacks"] += 1
        elif isinstance(obj, LabState):
            counts["lab_states"] += 1
    return counts


class DiagnosticsHandler(RequestHandler):
    """GET /diagnostics: what this server process holds, as JSON. Read-only, for tests."""

    def get(self):
        tornado_app = self.application
        sessions = [session for path in tornado_app.app_paths
                    for session in tornado_app.get_sessions(path)]
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({
            "pid": os.getpid(),
            "sessions": len(sessions),
            "connections": sum(session.connection_count for session in sessions),
            **count_live_objects(),
        }))
