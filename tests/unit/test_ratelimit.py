"""The rate limiter on a fake clock: cut on a 429, gradual recovery, never above the rate."""

import random

import pytest

from bot.ratelimit import CUT, FLOOD_SHARE, FLOOR, LATENESS, RECOVERY, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def greedy(limiter: RateLimiter, clock: FakeClock, seconds: float, step: float = 0.001):
    """Take every token as soon as it is there, for ``seconds``; the times taken."""
    times = []
    end = clock.now + seconds
    while clock.now < end:
        while limiter.try_acquire():
            times.append(clock.now)
        clock.now += step
    return times


def most_in_window(times: list[float], window: float) -> int:
    most, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_never_above_the_configured_rate_over_any_window():
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock)
    rng = random.Random(7)
    times = []
    for _ in range(40):  # half-second stretches, some ending in a 429
        times += greedy(limiter, clock, 0.5)
        if rng.random() < 0.3:
            limiter.throttled(1)
    assert len(times) > 200  # it did send, with the cuts
    for window in (0.2, 1.0, 3.0, 10.0):
        assert most_in_window(times, window) <= 30 * (window + LATENESS) + 1
    # No burst at the start either (a full second's worth at once would be 30).
    fresh = RateLimiter(30, clock=clock)
    assert most_in_window(greedy(fresh, clock, 1.0), 0.2) <= 30 * 0.2 + 1


def test_a_429_cuts_the_rate_once_and_it_recovers_gradually():
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    assert len(greedy(limiter, clock, 1.0)) == pytest.approx(100, abs=1)
    limiter.throttled(1)
    assert limiter.current == pytest.approx(100 * CUT)
    limiter.throttled(1)  # the same overload: not cut twice
    assert limiter.current == pytest.approx(100 * CUT)
    # Nobody is paused: sends go on at the lower rate, which climbs back step by step,
    # never above the configured rate.
    rates = []
    for _ in range(4):
        clock.now += 0.2
        limiter.wait_time()  # brings the limiter up to date
        rates.append(limiter.current)
    assert rates[0] == pytest.approx(100 * CUT + 100 * RECOVERY * 0.2)
    assert rates == sorted(rates) and rates[-1] == 100
    assert all(r <= 100 for r in rates)


def test_a_429_after_the_hold_cuts_again_and_refusals_by_the_share_pause_everyone():
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    limiter.throttled(1)
    clock.now += 1.0
    limiter.wait_time()
    assert limiter.current == 100  # recovered
    limiter.throttled(1)
    assert limiter.current == pytest.approx(100 * CUT)  # past the hold: cut again
    # Every send refused for a while (a share of at least a second's worth of sends): the
    # whole bot is over the limit, everyone waits as asked.
    sent = greedy(limiter, clock, 0.2)
    for _ in range(max(int(FLOOD_SHARE * 100), len(sent))):
        limiter.throttled(2)
    assert not limiter.try_acquire()
    assert limiter.wait_time() == pytest.approx(2, abs=0.01)
    clock.now += 2.0
    # Then it starts again slowly and climbs: not at full speed at once.
    after = greedy(limiter, clock, 1.0)
    assert 0 < len(after) < 100 * (FLOOR + RECOVERY)


def test_the_refused_chat_waits_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(30, chat_interval=1.0, clock=clock)
    limiter.chat_begin(5)
    limiter.chat_end(5, wait=3)
    assert limiter.chat_wait(5) == pytest.approx(3)
    limiter.chat_begin(6)
    limiter.chat_end(6)
    assert limiter.chat_wait(6) == pytest.approx(1)


@pytest.mark.parametrize("seed", range(5))
def test_a_few_refusals_among_many_sends_cut_the_rate_but_never_pause_everyone(seed):
    """1 % of sends refused (chats of their own, as in the broadcast bench): three of them
    close together are not the whole bot turned away, so nobody pauses and the rate stays
    near the configured one."""
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    rng = random.Random(seed)
    sent, start = 0, clock.now
    while sent < 3000:
        while limiter.try_acquire():
            sent += 1
            if rng.random() < 0.01:
                limiter.throttled(1)
                assert limiter.wait_time() < 0.1  # cut, not paused
        clock.now += 0.001
    assert sent / (clock.now - start) > 0.95 * 100


def test_a_sender_woken_late_by_a_busy_machine_loses_no_sending():
    """Woken every 50 ms instead of at each token (a loaded machine), it still sends at the
    configured rate: what fell due meanwhile is taken at once (at most ``LATENESS`` of it)."""
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    times = greedy(limiter, clock, 10.0, step=0.05)
    assert len(times) >= 0.98 * 100 * 10
    assert most_in_window(times, 1.0) <= 100 * (1.0 + LATENESS) + 1
