"""Long work of a lab off the server's event loop: bounded, cancellable, with its progress.

The event loop of a server process serves every session in it: a Compare of 4 optimizers × 5000
steps computed there (seconds) stops every other lab's Run meanwhile. A `Job` runs in a pool of
job processes instead, which

- share no interpreter lock with the loop and run at a lower CPU priority, so the other sessions
  keep their rate (benchmarks/compare_stall.py measures it);
- report their progress, and read a stop flag, through a few bytes of shared memory: the session
  reads the progress on its own loop (`Job.fraction`, `Job.poll`), and Cancel stops the job
  within one step, its process staying in the pool for the next job;
- are bounded: MAX_JOBS run at once per server process, at most MAX_QUEUED are held (running or
  waiting their turn; one more is refused with `Busy`), and each is stopped after CPU_LIMIT_S of
  computing.

The pool's processes are spawned, not forked: they copy nothing of the server (no threads,
locks or sessions). Each is started once, after any `--num-procs` fork (`warm_up`), and ends by
itself when its server process has gone, however that ended. Jobs are `available()` only once
`warm_up` has run, which the `losslab` command does: a spawned process imports the main script
of the program that starts it, which for another program (a notebook, a script of one's own
that serves the lab) may not be safe to import twice, so there the work is done where it is
asked for. A function run as a job must be
importable by name (it is sent to the job process by reference) and take a `progress` keyword
that it calls as `progress(done, total)`.
"""

import atexit
import multiprocessing
import os
import threading
import time

MAX_JOBS = max(1, (os.cpu_count() or 1) - 1)
"""Jobs running at once in one server process: each takes a core, and one core stays the loop's."""

MAX_QUEUED = 4 * MAX_JOBS
"""Jobs one server process holds at once, running or waiting for a job process."""

CPU_LIMIT_S = 60.0
"""A job that has computed for this long (CPU time of its process; a busy machine may stretch
that on the clock) is stopped."""

JOB_NICENESS = 10
"""How much lower the job processes' CPU priority is than the server's: a Run's updates first."""

SERVER_CHECK_S = 1.0
"""How often a job process checks that its server process still runs."""

_DONE, _STOP = 0, 1
"""The two int32 of a job's shared block: steps done × 1000 / total (written by the job), and the
stop flag (set by the server)."""

_pool = None
_available = False
_in_job_process = False
_running = set()


class Busy(RuntimeError):
    """Every job slot of this server process is taken."""


class _Stopped(Exception):
    """Raised by a job's progress callback to stop it: cancelled, or past the time limit."""


def _executor():
    """This process's pool of job processes, made on first use (after any fork)."""
    global _pool
    if _pool is None:
        import concurrent.futures

        _pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=MAX_JOBS, mp_context=multiprocessing.get_context("spawn"),
            initializer=_job_process, initargs=(os.getpid(),))
        # Stopped before the interpreter takes its modules apart: the pool's own clean-up would
        # run later and fail on them.
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def _submit(*call):
    """Submit to the pool; a pool broken by a job process that died is replaced once."""
    global _pool
    from concurrent.futures.process import BrokenProcessPool

    try:
        return _executor().submit(*call)
    except BrokenProcessPool:
        _pool = None
        return _executor().submit(*call)


def warm_up():
    """Make jobs available in this process and start its job processes now, so that the first
    job does not wait for them to start (a second or two each)."""
    global _available
    if _in_job_process:  # a job's module imported here asks for jobs: they run where it runs
        return
    _available = True
    for _ in range(MAX_JOBS):
        _submit(int)


def available():
    """Whether this process runs jobs (see the module's doc)."""
    return _available


def _job_process(server_pid):
    """A job process's start: a lower priority, and an end once the server has gone (a killed
    server cannot stop its pool, and a job process waiting for work would wait for ever)."""
    global _in_job_process
    _in_job_process = True
    if hasattr(os, "nice"):
        os.nice(JOB_NICENESS)

    def watch():
        while os.getppid() == server_pid:
            time.sleep(SERVER_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-server").start()


def _run(function, args, kwargs, block_name, cpu_limit_s):
    """In a job process: ("ok", result), ("stopped", why) or ("error", what went wrong)."""
    from multiprocessing import shared_memory

    block = shared_memory.SharedMemory(name=block_name)
    flags = block.buf.cast("i")
    started = time.process_time()

    def progress(done, total):
        flags[_DONE] = int(1000 * done / max(total, 1))
        if flags[_STOP]:
            raise _Stopped("cancelled")
        if time.process_time() - started > cpu_limit_s:
            raise _Stopped(f"it needed more than {cpu_limit_s:g} s of computing")

    try:
        return ("ok", function(*args, progress=progress, **kwargs))
    except _Stopped as stopped:
        return ("stopped", str(stopped))
    except Exception as error:  # reported to the session, never raised in the server
        return ("error", f"{type(error).__name__}: {error}")
    finally:
        flags.release()
        block.close()


class Job:
    """`function(*args, progress=…, **kwargs)` computed in a job process. Poll it from the
    session's loop; it never touches a session itself."""

    def __init__(self, function, *args, **kwargs):
        from multiprocessing import shared_memory

        if len(_running) >= MAX_QUEUED:
            others = len(_running)
            raise Busy(f"The server is busy with {others} other long computation"
                       f"{'s' if others > 1 else ''}; try again in a moment.")
        self._block = shared_memory.SharedMemory(create=True, size=8)
        self._flags = self._block.buf.cast("i")
        self._flags[_DONE] = self._flags[_STOP] = 0
        self.outcome = None  # ("ok", result) | ("stopped", why) | ("error", what)
        self._future = _submit(_run, function, args, kwargs, self._block.name, CPU_LIMIT_S)
        _running.add(self)

    @property
    def fraction(self):
        """How much of the work is done, 0 … 1."""
        try:
            return self._flags[_DONE] / 1000
        except ValueError:  # released: the job has ended
            return 1.0

    def poll(self):
        """The outcome once the job has ended, else None."""
        if self.outcome is None and self._future.done():
            try:
                self.outcome = self._future.result()
            except Exception as error:  # the job process died (BrokenProcessPool)
                self.outcome = ("error", f"the computation failed ({type(error).__name__})")
            self._release()
        return self.outcome

    def when_done(self, callback):
        """Call `callback()` once the job has ended (from another thread: it must only hand work
        to the session's loop, say with the document's `add_next_tick_callback`)."""
        self._future.add_done_callback(lambda future: callback())

    def cancel(self):
        """Stop the job at its next step; its result, if any, is dropped. Its slot is free at
        once (the job process stops within a step)."""
        if self.outcome is None:
            self._flags[_STOP] = 1
            self.outcome = ("stopped", "cancelled")
            self._future.add_done_callback(lambda future: self._release())
        _running.discard(self)

    def _release(self):
        _running.discard(self)
        if self._block is not None:
            self._flags.release()
            self._block.close()
            self._block.unlink()
            self._block = None
