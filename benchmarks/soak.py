"""Soak: K labs left running for a long time; the server's memory must stay flat.

    python benchmarks/soak.py [--sessions 10] [--minutes 10] [--every 15]

Serves LossLab with `losslab --port P --no-show`, opens K sessions with Bokeh's protocol client
(the same students as benchmarks/classroom.py: each presses Run and answers every frame as a
browser does) and samples the server's memory (proportional set size) every `--every` seconds
while they run. Prints the samples, the least-squares slope of memory over time (MB per minute,
over the second half of the run, after the start-up growth), the updates each session received,
and what the server still holds once the sessions are closed.

The loss history of a session is bounded (losslab.session.history thins its older half), so the slope
should be close to zero; a leak of even a few bytes per update shows up as a clear slope.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import load_average, machine, served  # noqa: E402
from classroom import (  # noqa: E402
    SESSION_TIMEOUT_S, client_process, diagnostics, register_app_models, server_memory)

MB = 2**20


def slope_mb_per_minute(samples):
    """Least-squares slope of (seconds, bytes) samples, in MB per minute."""
    t = [s for s, _ in samples]
    m = [b / MB for _, b in samples]
    t_mean, m_mean = statistics.fmean(t), statistics.fmean(m)
    spread = sum((x - t_mean) ** 2 for x in t)
    return 60 * sum((x - t_mean) * (y - m_mean) for x, y in zip(t, m)) / spread if spread else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between samples")
    args = parser.parse_args()
    register_app_models()
    print(f"machine: {machine()}")
    os.environ["LOSSLAB_DIAGNOSTICS"] = "1"
    with served("--session-timeout", str(SESSION_TIMEOUT_S)) as (server, url):
        context = multiprocessing.get_context("fork")
        go, stop = context.Event(), context.Event()
        ready, results = context.Semaphore(0), context.Queue()
        client = context.Process(target=client_process,
                                 args=(url, args.sessions, go, stop, ready, results))
        client.start()
        for _ in range(args.sessions):
            if not ready.acquire(timeout=300):
                raise RuntimeError("the sessions were not all opened within 5 minutes")
        go.set()
        start = time.monotonic()
        samples = []
        while (elapsed := time.monotonic() - start) < 60 * args.minutes:
            pss, _ = server_memory(server.pid)
            samples.append((elapsed, pss))
            print(f"  {elapsed:6.0f} s  {pss / MB:7.1f} MB  (load {load_average()})", flush=True)
            time.sleep(args.every)
        end = time.monotonic()
        stop.set()
        times, _ = results.get(timeout=120)
        client.join(timeout=30)
        time.sleep(SESSION_TIMEOUT_S + 5)
        after, _ = server_memory(server.pid)
        held = diagnostics(url, 1)
    rates = [len(ts) / (end - start) for ts in times]
    second_half = [s for s in samples if s[0] >= 30 * args.minutes]
    print(f"\n{args.sessions} sessions running for {args.minutes:g} min")
    print(f"  updates per second per session: min {min(rates):.1f}, "
          f"median {statistics.median(rates):.1f}")
    print(f"  memory: {samples[0][1] / MB:.1f} MB at the start, {samples[-1][1] / MB:.1f} MB at "
          f"the end; slope over the second half {slope_mb_per_minute(second_half):+.2f} MB/min "
          f"(whole run {slope_mb_per_minute(samples):+.2f} MB/min)")
    print(f"  after closing: {after / MB:.1f} MB; the server holds "
          + ", ".join(f"{k} {v}" for answer in held.values() for k, v in answer.items()
                      if k != "pid"))


if __name__ == "__main__":
    main()
