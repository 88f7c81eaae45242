"""The `A:mutex` attack against real Redis (issue 14, item 2).

Before: the store's mutex for conversation V lived at `lock:V:mutex`, Rasa's own lock key for the
conversation `V:mutex`, and was taken by sleep-polling on the event loop. A sender `A:mutex` holding
its turn and then messages of `A` froze the whole instance for 10 s each. Now there is no mutex:
each ticket change is one Lua script, and waiting for a turn is an `await`. This runs the attack's
sequence against a real redis-server and measures how long the event loop ever stood still.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.server.stores import AtomicRedisLockStore, redis_settings
from tests.services import Redis

pytestmark = [pytest.mark.security, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def redis_url():
    server = Redis()
    server.start()
    yield server.url
    server.stop()


def test_a_mutex_sender_stalls_nothing(redis_url: str) -> None:
    store = AtomicRedisLockStore(**redis_settings({"RUECKENBOT_REDIS_URL": redis_url}))

    async def attack() -> tuple[float, list[float], float]:
        gaps: list[float] = []
        running = True

        async def heartbeat() -> None:  # what every widget socket and webhook needs: a loop that turns
            last = time.monotonic()
            while running:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        beat = asyncio.create_task(heartbeat())
        release = asyncio.Event()

        async def attacker(conversation: str) -> None:  # REST sender "A:mutex" → key "rest:A:mutex", its turn held
            async with store.lock(conversation, wait_time_in_seconds=0.05):
                await release.wait()

        holders = [asyncio.create_task(attacker(k)) for k in ("rest:A:mutex", "A:mutex", "rest:A:mutex:mutex")]
        await asyncio.sleep(0.2)
        waits = []
        for _ in range(5):  # then messages of A, one after another, as in the simulation
            started = time.monotonic()
            async with store.lock("rest:A", wait_time_in_seconds=0.05):
                pass
            waits.append(time.monotonic() - started)
        # many turns of one conversation queued at once: they wait with `await`, one at a time
        order: list[int] = []
        inside = [0]

        async def turn(i: int) -> None:
            async with store.lock("rest:B", wait_time_in_seconds=0.02):
                inside[0] += 1
                assert inside[0] == 1, "two turns of one conversation at once"
                order.append(i)
                await asyncio.sleep(0.01)
                inside[0] -= 1

        queued = time.monotonic()
        await asyncio.gather(*(turn(i) for i in range(20)))
        queue_time = time.monotonic() - queued
        release.set()
        await asyncio.gather(*holders)
        running = False
        await beat
        assert sorted(order) == list(range(20))
        return max(waits), gaps, queue_time

    worst_wait, gaps, queue_time = asyncio.run(attack())
    assert worst_wait < 0.5, f"a message of A waited {worst_wait:.2f} s"
    assert max(gaps) < 1.0, f"the event loop stood still for {max(gaps):.2f} s"
    assert queue_time < 10
    print(f"A:mutex attack: worst wait for A {worst_wait * 1000:.0f} ms, longest loop stall {max(gaps) * 1000:.0f} ms")
    # nothing left behind but what holds a turn; every key has a time to live
    assert store.red.keys("*mutex*") == [] or all(store.red.pttl(k) > 0 for k in store.red.keys("*"))


def test_keys_only_in_rasas_namespace_and_they_expire(redis_url: str) -> None:
    store = AtomicRedisLockStore(**redis_settings({"RUECKENBOT_REDIS_URL": redis_url}))
    ticket = store.issue_ticket("rest:C")
    keys = [k.decode() for k in store.red.keys("*rest:C*")]
    assert keys == ["lock:rest:C"], keys
    assert 0 < store.red.pttl("lock:rest:C") <= (60 + 60) * 1000
    lock = store.get_lock("rest:C")
    assert lock is not None and [t.number for t in lock.tickets] == [ticket]
    store.cleanup("rest:C", ticket)
    assert store.red.exists("lock:rest:C") == 0
