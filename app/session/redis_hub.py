"""Classes shared between processes and hosts through Redis (`losslab --class-hub redis://…`).

The same hub as `MemoryHub`, kept in Redis: a class's keys live under `losslab:class:CODE`,
its updates travel on the pub/sub channel of the same name, and every process listens on one
connection and hands each message to its own followers (so an update crosses the network once
per process, not once per student). A follower subscribes before it reads the snapshot, so no
update between the two is lost; updates older than the snapshot are dropped by their `seq`.

Needs the `redis` client package (the `class` extra: `pip install losslab[class]`).
"""

import asyncio
import hmac
import json
import math
import time
from collections import defaultdict

from losslab.session.class_hub import (
    CODE_TRIES_PER_MINUTE,
    GRACE_S,
    MAX_MESSAGE_BYTES,
    MAX_SUBMISSIONS,
    STATUSES,
    SUBMIT_EVERY_S,
    Refused,
    Subscription,
    clean_nickname,
    new_keys,
    normalized_code,
    token_digest,
)

PREFIX = "losslab:class:"
KEEP_S = 24 * 3600
"""Every key of a class expires this long after its last write: a class whose processes all
died does not stay in Redis for ever."""


_running = set()
"""Every task a hub starts, held here until it ends: the loop keeps only a weak reference to a
task, and a reader waiting on its socket is otherwise part of a cycle the garbage collector may
take mid-class (its hub is reachable from nothing but that task when whoever made it let go)."""


def _in_background(coroutine):
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


class RedisHub:
    """The classes of every process that uses the same Redis server."""

    def __init__(self, url):
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._pubsub = None
        self._reader = None
        self._local = defaultdict(list)  # channel → callbacks of this process
        self._closing = {}

    @staticmethod
    def _key(code, part=""):
        return f"{PREFIX}{code}{':' + part if part else ''}"

    async def ping(self):
        """Raise if the Redis server cannot be reached (checked when the server starts)."""
        await self._redis.ping()

    # -- the teacher -------------------------------------------------------------------------

    async def open_class(self):
        while True:
            keys = new_keys()
            if await self._redis.hsetnx(self._key(keys.code), "token", token_digest(keys.teacher_token)):
                await self._redis.expire(self._key(keys.code), KEEP_S)
                return keys

    async def _teachers(self, code, token):
        stored = await self._redis.hget(self._key(code), "token")
        if stored is None or not hmac.compare_digest(stored.decode(), token_digest(token)):
            raise Refused("Only the teacher's own link can drive this class.")

    async def is_teacher(self, code, token):
        try:
            await self._teachers(code, token)
            return True
        except Refused:
            return False

    async def publish(self, code, token, seq, update, snapshot=None):
        await self._teachers(code, token)
        message = _dumps({"kind": "update", "seq": seq, "data": update})
        if len(message) > MAX_MESSAGE_BYTES:
            raise Refused("This update is too large to send to the class.")
        if snapshot is not None:
            await self._redis.set(self._key(code, "snapshot"),
                                  _dumps({"kind": "snapshot", "seq": seq, "data": snapshot}),
                                  ex=KEEP_S)
        await self._redis.publish(self._key(code), message)

    async def end(self, code, token, grace_s=GRACE_S):
        await self._teachers(code, token)
        previous = self._closing.pop(code, None)
        if previous is not None:
            previous.cancel()
        self._closing[code] = asyncio.get_running_loop().call_later(
            max(grace_s, 0.0), lambda: _in_background(self._close(code)))

    async def resume(self, code, token):
        await self._teachers(code, token)
        pending = self._closing.pop(code, None)
        if pending is not None:
            pending.cancel()

    async def _close(self, code):
        self._closing.pop(code, None)
        await self._redis.publish(self._key(code), _dumps({"kind": "ended", "seq": None,
                                                             "data": {}}))
        await self._redis.delete(*(self._key(code, part) for part in
                                   ("", "snapshot", "students", "submissions", "next")))

    # -- the students ------------------------------------------------------------------------

    async def find(self, code, address):
        normalized = normalized_code(code) or ""
        if normalized and await self._redis.exists(self._key(normalized)):
            return normalized
        tries = f"losslab:tries:{address}"
        count = await self._redis.incr(tries)
        if count == 1:
            await self._redis.expire(tries, 60)
        if count > CODE_TRIES_PER_MINUTE:
            raise Refused("Too many class codes tried from here: wait a minute.")
        raise Refused("There is no class with this code (has it ended?).")

    async def follow(self, code, deliver):
        if not await self._redis.exists(self._key(code)):
            raise Refused("This class has ended.")
        early = []
        self._listen(self._key(code), early.append)
        await self._subscribe(self._key(code))
        raw = await self._redis.get(self._key(code, "snapshot"))
        snapshot = json.loads(raw) if raw else None
        since = -math.inf
        if snapshot is not None:
            deliver(snapshot)
            since = snapshot["seq"]

        def in_order(message):
            if message["kind"] != "update" or message["seq"] > since:
                deliver(message)

        self._unlisten(self._key(code), early.append)
        for message in early:
            in_order(message)
        self._listen(self._key(code), in_order)
        return Subscription(lambda: self._unlisten(self._key(code), in_order))

    async def set_status(self, code, student, status, nickname=None):
        key = self._key(code, "students")
        if status is None:
            await self._redis.hdel(key, student)
        elif status in STATUSES:
            raw = await self._redis.hget(key, student)
            entry = json.loads(raw) if raw else {"nickname": "anonymous"}
            entry["status"] = status
            if nickname is not None:
                entry["nickname"] = clean_nickname(nickname)
            await self._redis.hset(key, student, _dumps(entry))
            await self._redis.expire(key, KEEP_S)
        await self._redis.publish(self._key(code, "board"), "changed")

    async def submit(self, code, student, nickname, lab, result):
        if not await self._redis.exists(self._key(code)):
            raise Refused("This class has ended.")
        # One submission per student every SUBMIT_EVERY_S, however many processes serve them.
        if not await self._redis.set(self._key(code, f"last:{student}"), 1, nx=True,
                                     px=int(SUBMIT_EVERY_S * 1000)):
            raise Refused(f"Wait a few seconds between two submissions ({SUBMIT_EVERY_S:g} s).")
        number = int(await self._redis.incr(self._key(code, "next")))
        entry = {"id": number, "student": student, "nickname": clean_nickname(nickname),
                 "lab": lab, "result": result, "at": time.time()}
        text = _dumps(entry)
        if len(text) > MAX_MESSAGE_BYTES:
            raise Refused("This lab is too large to hand in.")
        await self._redis.rpush(self._key(code, "submissions"), text)
        await self._redis.ltrim(self._key(code, "submissions"), -MAX_SUBMISSIONS, -1)
        await self.set_status(code, student, "submitted", entry["nickname"])
        return number

    # -- the board ---------------------------------------------------------------------------

    async def board(self, code, token):
        await self._teachers(code, token)
        students = [json.loads(raw) for raw in
                    (await self._redis.hgetall(self._key(code, "students"))).values()]
        counts = {status: sum(s.get("status") == status for s in students) for status in STATUSES}
        submissions = [{key: entry[key] for key in ("id", "student", "nickname", "result", "at")}
                       for entry in map(json.loads, await self._redis.lrange(
                           self._key(code, "submissions"), 0, -1))]
        return {"connected": len(students), **counts, "submissions": submissions}

    async def watch_board(self, code, token, deliver):
        await self._teachers(code, token)
        channel = self._key(code, "board")

        def changed(message):
            _in_background(self._deliver_board(code, token, deliver))

        self._listen(channel, changed)
        await self._subscribe(channel)
        await self._deliver_board(code, token, deliver)
        return Subscription(lambda: self._unlisten(channel, changed))

    async def _deliver_board(self, code, token, deliver):
        deliver(await self.board(code, token))

    async def submission(self, code, token, number):
        await self._teachers(code, token)
        for raw in await self._redis.lrange(self._key(code, "submissions"), 0, -1):
            entry = json.loads(raw)
            if entry["id"] == number:
                return entry["lab"]
        raise Refused(f"There is no submission {number}.")

    # -- this process's one subscription -----------------------------------------------------

    def _listen(self, channel, callback):
        self._local[channel].append(callback)

    def _unlisten(self, channel, callback):
        if callback in self._local.get(channel, ()):
            self._local[channel].remove(callback)

    async def _subscribe(self, channel):
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(channel)
        if self._reader is None or self._reader.done():
            self._reader = _in_background(self._read())

    async def _read(self):
        async for message in self._pubsub.listen():
            if message.get("type") != "message":
                continue
            channel = message["channel"].decode()
            data = message["data"].decode()
            payload = json.loads(data) if data.startswith("{") else data
            for callback in list(self._local.get(channel, ())):
                callback(payload)
