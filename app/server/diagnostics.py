"""An opt-in, read-only look inside a running server, for the tests: its sessions, their
timers and lab states. Off unless the server starts with LOSSLAB_DIAGNOSTICS=1 on localhost."""

import collections
import gc
import inspect
import json
import os

from tornado.web import RequestHandler

DIAGNOSTICS_ENV = "LOSSLAB_DIAGNOSTICS"
"""Set to 1 to add the read-only /diagnostics route, for tests; never on by default, and never
when serving a network address."""
DIAGNOSTICS_ROUTE = r"/diagnostics"


def diagnostics_enabled(environ=None):
    return (os.environ if environ is None else environ).get(DIAGNOSTICS_ENV) == "1"


def count_live_objects(explain=False):
    """Timers and LabState objects alive in this process: `session_timers`, callbacks waiting on
    a session's document (a Run step, a throttled write) or Panel periodic callbacks running in a
    session; `server_timers`, Panel periodic callbacks running on the server's loop outside any
    session, other than Panel's own housekeeping; `lab_states`. With `explain`, also what holds
    the first LabStates alive."""
    from bokeh.server.callbacks import SessionCallback
    from panel.io.callbacks import PeriodicCallback

    from losslab.session.state import LabState

    gc.collect()
    counts = {"session_timers": 0, "server_timers": 0, "lab_states": 0}
    states = []
    everything = gc.get_objects()
    for obj in everything:
        if isinstance(obj, SessionCallback):
            counts["session_timers"] += 1
        elif isinstance(obj, PeriodicCallback) and obj.running:
            if getattr(obj, "_doc", None) is not None:
                counts["session_timers"] += 1
            elif not _panel_housekeeping(obj):
                counts["server_timers"] += 1
        elif isinstance(obj, LabState):
            states.append(obj)
    counts["lab_states"] = len(states)
    if explain and states:
        counts["lab_state_holders"] = [holder_chain(state, everything) for state in states[:2]]
    if explain and counts["server_timers"]:
        counts["server_timer_callbacks"] = [
            repr(obj.callback)[:200] for obj in everything
            if isinstance(obj, PeriodicCallback) and obj.running and obj._doc is None
            and not _panel_housekeeping(obj)]
    return counts


def _panel_housekeeping(timer):
    return getattr(timer.callback, "__module__", "").startswith("panel.")


def holder_chain(obj, everything):
    """The shortest chain of references from a module, a class or a running frame to `obj`, as
    type names from the root down, so that a leak names its cause. `everything`: the objects the
    garbage collector tracks."""
    referrers = collections.defaultdict(list)
    for holder in everything:
        if inspect.isframe(holder) and holder.f_code.co_filename == __file__:
            continue  # this module's own frames hold what they look at
        for held in gc.get_referents(holder):
            referrers[id(held)].append(holder)
    parents = {id(obj): None}
    objects = {id(obj): obj}
    queue = collections.deque([obj])
    while queue:
        current = queue.popleft()
        for referrer in referrers.get(id(current), ()):
            if id(referrer) in parents or referrer is everything:
                continue
            parents[id(referrer)] = id(current)
            objects[id(referrer)] = referrer
            if inspect.ismodule(referrer) or inspect.isclass(referrer) or inspect.isframe(referrer):
                chain = []
                key = id(referrer)
                while key is not None:
                    chain.append(describe(objects[key]))
                    key = parents[key]
                return chain
            queue.append(referrer)
    return ["(no module, class or frame found)"]


def describe(obj):
    kind = type(obj).__qualname__
    if isinstance(obj, dict):
        return f"dict({', '.join(map(str, list(obj)[:6]))})"
    if inspect.isframe(obj):
        return f"frame {obj.f_code.co_name} {obj.f_code.co_filename}:{obj.f_lineno}"
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return f"{kind} {obj.__qualname__}"
    if inspect.ismodule(obj) or inspect.isclass(obj):
        return f"{kind} {obj.__name__}"
    return kind


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
            # With no session left, any LabState is a leak: say what holds it.
            **count_live_objects(explain=not sessions),
        }))
