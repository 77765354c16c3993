"""The in-process limiter behind the public query's budgets (R-PUB-1): a fake clock, never a sleep."""

import pytest

from xinyong.kit.ratelimit import Rate, RateLimiter, client_key


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def test_a_burst_passes_then_the_client_waits_and_recovers():
    clock = Clock()
    limiter = RateLimiter([Rate.per_minute(3)], clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == 20  # one token back every 20 s
    clock.advance(19)
    assert limiter.hit("a") == 1  # a refused request takes nothing: waiting is always enough
    clock.advance(1)
    assert limiter.hit("a") is None and limiter.hit("a") == 20
    clock.advance(3600)  # refills to the burst, not beyond
    assert [limiter.hit("a") for _ in range(4)] == [None, None, None, 20]


def test_clients_have_their_own_budgets():
    limiter = RateLimiter([Rate.per_minute(1)], clock=Clock())
    assert limiter.hit("a") is None and limiter.hit("a") is not None
    assert limiter.hit("b") is None


def test_every_rate_must_allow_and_the_longest_wait_is_told():
    clock = Clock()
    limiter = RateLimiter([Rate.per_minute(10), Rate.per_day(12)], clock=clock)
    assert all(limiter.hit("a") is None for _ in range(10))
    assert limiter.hit("a") == 6  # the minute's bucket is empty
    clock.advance(60)
    assert [limiter.hit("a") for _ in range(2)] == [None, None]
    wait = limiter.hit("a")  # the day's bucket is empty: 7,200 s a token
    assert 7000 < wait <= 7200


def test_memory_is_bounded_by_forgetting_the_least_recently_seen():
    limiter = RateLimiter([Rate.per_minute(1)], clock=Clock(), max_keys=2)
    limiter.hit("a")
    limiter.hit("b")
    limiter.hit("a")  # a is fresher than b now
    limiter.hit("c")
    assert set(limiter._buckets) == {"a", "c"}


def test_a_rate_needs_a_positive_count_and_period():
    with pytest.raises(ValueError):
        Rate(0, 60)
    with pytest.raises(ValueError):
        RateLimiter([])


def test_an_ipv6_client_is_its_whole_64_block():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.9") == client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("testclient") == "testclient" and client_key(None) == "-"
