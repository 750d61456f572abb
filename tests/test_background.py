"""Long work off the event loop: a job computes in a job process of its own, reports progress,
stops when cancelled or past its CPU limit, and the process holds no more jobs than it may."""

import os
import time
from multiprocessing import shared_memory

import numpy as np
import pytest

from losslab import core
from losslab.session import background



@pytest.fixture(autouse=True, scope="module")
def jobs_available():
    # As the losslab command does when it serves. Not at import: a job process imports this
    # module to find a job's function, and must not start a pool of its own.
    background.warm_up()


def wait_for(job, timeout_s=120):
    deadline = time.monotonic() + timeout_s
    while job.poll() is None:
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.02)
    return job.outcome


def where(progress=None):
    """The process a job runs in (a function a job process can import by name)."""
    return os.getpid()


def spin(seconds, progress=None):
    """Compute for `seconds` of CPU time, reporting progress all along."""
    started = time.process_time()
    while (spent := time.process_time() - started) < seconds:
        progress(min(spent, seconds), seconds)
    return "done"


def test_a_job_computes_in_another_process_what_core_computes_here():
    X, y, W, b = core.DEFAULT_POINTS, core.DEFAULT_LABELS, core.DEFAULT_W, core.DEFAULT_B
    optimizers = {"SGD": core.make_optimizer("sgd", 0.1), "Adam": core.make_optimizer("adam", 0.1)}
    job = background.Job(core.compare_optimizers, X, y, W, b, optimizers, 300)
    kind, runs = wait_for(job)
    assert kind == "ok" and job.fraction == 1.0
    here = core.compare_optimizers(X, y, W, b, optimizers, 300)
    for label in here:
        assert np.array_equal(runs[label]["total_loss"], here[label]["total_loss"])
    assert wait_for(background.Job(where))[1] != os.getpid()


def test_a_cancelled_job_stops_within_a_step_and_frees_its_slot():
    job = background.Job(spin, 30.0)
    deadline = time.monotonic() + 60
    while job.fraction == 0.0:  # it has started computing
        assert time.monotonic() < deadline
        time.sleep(0.02)
    job.cancel()
    assert job.outcome == ("stopped", "cancelled") and job not in background._running
    # The job process is free again: the next job runs at once, not after the 30 s.
    started = time.monotonic()
    assert wait_for(background.Job(where), timeout_s=20)[0] == "ok"
    assert time.monotonic() - started < 20


def test_a_job_past_its_cpu_limit_is_stopped_and_says_so():
    block = shared_memory.SharedMemory(create=True, size=8)
    try:
        kind, why = background._run(spin, (5.0,), {}, block.name, 0.05)
    finally:
        block.close()
        block.unlink()
    assert kind == "stopped" and "more than 0.05 s of computing" in why


def test_a_job_that_fails_reports_it_and_raises_nothing():
    kind, what = wait_for(background.Job(core.compare_optimizers, [], [], [], [], {}, -1))
    assert kind == "error" and "steps" in what


def test_no_more_jobs_than_allowed_are_held(monkeypatch):
    monkeypatch.setattr(background, "MAX_QUEUED", 1)
    first = background.Job(spin, 30.0)
    try:
        with pytest.raises(background.Busy, match="busy with 1 other long computation"):
            background.Job(where)
    finally:
        first.cancel()
    assert wait_for(background.Job(where))[0] == "ok"


def jobs_inside(progress=None):
    """Whether a job process would run jobs of its own, once asked to (as a job's module may)."""
    background.warm_up()
    return background.available()


def test_a_job_process_never_starts_job_processes_of_its_own():
    # It would wait for them when it ends, and they for it: the server could never stop.
    assert wait_for(background.Job(jobs_inside)) == ("ok", False)
