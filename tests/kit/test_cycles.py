"""kit.cycles: the cycle collector paused for a grading run, and resumed as it was found (R-GRD-4)."""

import gc
import threading

from xinyong.kit.cycles import paused

NO_DATABASE = True


def test_a_pause_stops_the_collector_and_resumes_it_nested_and_as_a_decorator():
    assert gc.isenabled()  # as every test starts
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds

        @paused()
        def inner():
            return gc.isenabled()

        assert inner() is False and not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_off_before_the_pause_stays_off_and_an_error_still_resumes():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    try:
        with paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_when_the_last_ends():
    entered, release = threading.Event(), threading.Event()

    def other():
        with paused():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    assert entered.wait(5)
    with paused():
        pass
    assert not gc.isenabled()  # the other thread's pause still holds
    release.set()
    t.join(5)
    assert gc.isenabled()
