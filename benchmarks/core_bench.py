"""How long one evaluation of the objective takes, next to the cost of the scores alone.

    python benchmarks/core_bench.py [--repeats 11]

For each loss and N = 10³, 10⁵, 10⁶ random points it times ``core.objective.evaluate`` (scores,
per-point losses, data/regularization/total loss, dW and db) and prints the median wall time with
its ratio to the bare score computation ``X @ W.T + b`` at the same N — the least any evaluation
must do. The target is a ratio of at most 4 at N = 10⁶ for every loss.

Run it on an otherwise idle machine: a multi-threaded BLAS that has to share the CPU with other
work can slow the matrix product, and with it every ratio, by an order of magnitude.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from losslab.core.losses import LOSSES  # noqa: E402
from losslab.core.objective import evaluate  # noqa: E402

SIZES = (10**3, 10**5, 10**6)


def median_seconds(functions, repeats):
    """Median wall time of each function in ``functions`` (a dict), over ``repeats`` rounds.

    Each round calls every function once, so a burst of load from elsewhere on the machine slows
    the reference and the candidates alike instead of skewing one ratio. One warm-up call each.
    """
    times = {name: [] for name in functions}
    for fn in functions.values():
        fn()
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def problem(n, seed=0):
    """n random points of 3 classes, and random parameters, all float64."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(n, 2))
    y = rng.integers(0, 3, size=n)
    W = rng.normal(size=(3, 2))
    b = rng.normal(size=3)
    return X, y, W, b


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11, help="timed calls per figure (median)")
    args = parser.parse_args(argv)

    header = f"{'N':>9}  {'X @ W.T + b':>12}" + "".join(f"  {name:>20}" for name in LOSSES)
    print(header)
    print("-" * len(header))
    for n in SIZES:
        X, y, W, b = problem(n)
        functions = {"floor": lambda: X @ W.T + b}
        for name in LOSSES:
            functions[name] = lambda name=name: evaluate(X, y, W, b, loss=name)
        # Small N is quick and noisy: time it more often.
        seconds = median_seconds(functions, args.repeats * max(1, 10**5 // n))
        floor = seconds.pop("floor")
        row = f"{n:>9}  {floor * 1e3:>9.3f} ms"
        for name, t in seconds.items():
            row += f"  {t * 1e3:>9.3f} ms ({t / floor:>4.1f}×)"
        print(row)
        worst_at_largest = max(t / floor for t in seconds.values())
    print(f"\nworst ratio at N = {SIZES[-1]:,}: {worst_at_largest:.1f}× (target ≤ 4×)")


if __name__ == "__main__":
    main()
