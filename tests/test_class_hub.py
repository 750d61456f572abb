"""The class hub on its own: in this process, and across processes through a real Redis server
(Debian's `redis-server`, started here on a free port)."""

import asyncio
import gc
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from losslab.session.class_hub import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_TRIES_PER_MINUTE,
    MAX_MESSAGE_BYTES,
    NICKNAME_CHARS,
    MemoryHub,
    Refused,
    clean_nickname,
    normalized_code,
)


@pytest.fixture(params=["memory", "redis"])
def hubs(request):
    """A function making hubs that share their classes (two processes' worth, for Redis)."""
    if request.param == "memory":
        shared = MemoryHub()
        return lambda: shared
    url = request.getfixturevalue("redis_url")

    def make():
        from losslab.session.redis_hub import RedisHub

        return RedisHub(url)

    return make


def run(coroutine):
    # A thread of its own: a browser test's Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, asyncio.wait_for(coroutine, 20)).result()


async def settle(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def a_class_with_a_follower(hubs):
    """A class opened on one hub, followed from another that nothing here holds; returns the
    teacher's hub, the class's keys and the list of what the follower has heard."""
    teacher = hubs()
    keys = await teacher.open_class()
    seen = []
    await hubs().follow(keys.code, seen.append)
    return teacher, keys, seen


def test_codes_read_aloud_and_typed_loosely():
    assert normalized_code("abc-de") is None  # too short
    assert normalized_code("abc-defg") is None  # too long
    assert normalized_code(" k7m-4pq ") == "K7M4PQ"
    assert normalized_code("K7M4P0") is None  # 0 is never used: it reads as O
    assert clean_nickname("  <b>Ada</b>\n\t Lovelace ") == "<b>Ada</b> Lovelace"
    assert len(clean_nickname("x" * 100)) == NICKNAME_CHARS and clean_nickname("\n") == "anonymous"


def test_followers_see_the_snapshot_then_every_update_in_order(hubs):
    async def scenario():
        teacher_hub, student_hub = hubs(), hubs()
        keys = await teacher_hub.open_class()
        assert len(keys.code) == CODE_LENGTH and set(keys.code) <= set(CODE_ALPHABET)
        await teacher_hub.publish(keys.code, keys.teacher_token, 1, {"steps": 1},
                                  snapshot={"steps": 1, "W": [1, 2]})
        first, second = [], []
        await student_hub.follow(keys.code, first.append)
        await settle(lambda: len(first) == 1)
        assert first[0] == {"kind": "snapshot", "seq": 1, "data": {"steps": 1, "W": [1, 2]}}
        for seq in range(2, 6):
            await teacher_hub.publish(keys.code, keys.teacher_token, seq, {"steps": seq})
        await settle(lambda: len(first) == 5)
        assert [m["seq"] for m in first] == [1, 2, 3, 4, 5]
        # A student who joins later starts from the latest snapshot, and gets only what is newer.
        await teacher_hub.publish(keys.code, keys.teacher_token, 6, {"steps": 6},
                                  snapshot={"steps": 6})
        await student_hub.follow(keys.code, second.append)
        await teacher_hub.publish(keys.code, keys.teacher_token, 7, {"steps": 7})
        await settle(lambda: len(second) == 2)
        assert [(m["kind"], m["seq"]) for m in second] == [("snapshot", 6), ("update", 7)]

    run(scenario())


def test_only_the_teacher_token_drives_a_class(hubs):
    async def scenario():
        hub, keys, seen = await a_class_with_a_follower(hubs)
        for forged in ("", "x" * 32, keys.teacher_token[:-1] + "A", keys.code):
            assert not await hub.is_teacher(keys.code, forged)
            with pytest.raises(Refused):
                await hub.publish(keys.code, forged, 1, {"W": [0, 0]})
            with pytest.raises(Refused):
                await hub.end(keys.code, forged, 0)
            with pytest.raises(Refused):
                await hub.board(keys.code, forged)
        await asyncio.sleep(0.2)
        assert seen == []
        assert await hub.is_teacher(keys.code, keys.teacher_token)

    run(scenario())


def test_guessing_class_codes_is_slowed_down(hubs):
    async def scenario():
        hub = hubs()
        keys = await hub.open_class()
        assert await hub.find(keys.code.lower(), "10.0.0.1") == keys.code
        messages = []
        for _ in range(CODE_TRIES_PER_MINUTE + 3):
            with pytest.raises(Refused) as refused:
                await hub.find("ZZZZZZ", "10.0.0.2")
            messages.append(str(refused.value))
        assert "no class" in messages[0] and "Too many" in messages[-1]
        # Another address is not held back by the first one's guesses.
        assert await hub.find(keys.code, "10.0.0.3") == keys.code

    run(scenario())


def test_submissions_are_rate_limited_bounded_and_on_the_board(hubs):
    async def scenario():
        teacher, student = hubs(), hubs()
        keys = await teacher.open_class()
        boards = []
        await teacher.watch_board(keys.code, keys.teacher_token, boards.append)
        await student.set_status(keys.code, "s1", "following", "Ada")
        await student.set_status(keys.code, "s2", "exploring", "Bob")
        number = await student.submit(keys.code, "s1", "Ada", {"W": [[1, 2]]}, {"total_loss": 0.5})
        with pytest.raises(Refused):
            await student.submit(keys.code, "s1", "Ada", {"W": [[1, 2]]}, {"total_loss": 0.4})
        with pytest.raises(Refused):
            await student.submit(keys.code, "s2", "Bob", {"X": "x" * MAX_MESSAGE_BYTES}, {})
        await settle(lambda: boards and boards[-1]["submissions"])
        board = await teacher.board(keys.code, keys.teacher_token)
        assert (board["connected"], board["following"], board["exploring"], board["submitted"]) \
            == (2, 0, 1, 1)
        assert [s["nickname"] for s in board["submissions"]] == ["Ada"]
        assert "lab" not in board["submissions"][0]  # the board lists results, not whole labs
        assert await teacher.submission(keys.code, keys.teacher_token, number) == {"W": [[1, 2]]}
        await student.set_status(keys.code, "s2", None)
        await settle(lambda: boards[-1]["connected"] == 1)

    run(scenario())


def test_a_follower_hears_the_class_when_nothing_else_holds_its_hub(hubs):
    async def scenario():
        teacher, keys, seen = await a_class_with_a_follower(hubs)  # its follower's hub held by nothing
        gc.collect()
        await teacher.publish(keys.code, keys.teacher_token, 1, {"steps": 1})
        await settle(lambda: len(seen) == 1)
        assert seen[0]["data"] == {"steps": 1}

    run(scenario())


def test_a_class_ends_after_its_grace_period_unless_the_teacher_comes_back(hubs):
    async def scenario():
        teacher, keys, seen = await a_class_with_a_follower(hubs)
        # A grace period long enough that the resume comes within it on a loaded machine.
        await teacher.end(keys.code, keys.teacher_token, grace_s=2.0)
        await teacher.resume(keys.code, keys.teacher_token)
        await asyncio.sleep(2.5)
        assert seen == [] and await teacher.is_teacher(keys.code, keys.teacher_token)
        await teacher.end(keys.code, keys.teacher_token, grace_s=0.1)
        await settle(lambda: seen and seen[-1]["kind"] == "ended", timeout=20.0)
        with pytest.raises(Refused):
            await hubs().follow(keys.code, seen.append)

    run(scenario())
