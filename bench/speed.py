"""Speed of one training epoch, every path measured in one run (this machine is noisy).

    python bench/speed.py --data-dir DIR [--epochs 300] [--skip-keras]
    python bench/speed.py --edition tf2 --data-dir DIR [--epochs 20]

Times, in this order and in one process:
  1. the straight port of the notebook's code (bench/straight_port.py), the baseline;
  2. tfsigns compat.v1 `train()` (the fast path `model()` and the CLI use);
  3. tfsigns Keras parity (same start, batches and Adam as compat.v1);
  4. Keras idiomatic `fit`;
  5. an sgemm yardstick: numpy float32 matmuls doing the epoch's dominant work
     (forward and weight gradient of the 25 x 12288 layer over all m examples,
     about 1.3 GFLOP for m = 1080).
Prints ms per epoch (epochs 1..N-1: graph building and the first epoch's
warm-up are left out), the ratios, and whether the costs match the baseline.

With `--edition tf2` (or tf2-mean, tf2-early) it times the TF2 edition instead,
in one process: the notebook's eager GradientTape loop over its tf.data
minibatches (the baseline) and tfsigns' fast path (one tf.function call per
epoch), with the ratio and the largest difference between their epoch costs.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


class EpochClock:
    """`on_epoch` callback that keeps the time of every epoch's end."""

    def __init__(self):
        self.ends = []
        self.costs = []

    def __call__(self, epoch, cost):
        self.ends.append(time.perf_counter())
        self.costs.append(cost)

    def ms_per_epoch(self):
        # From the end of epoch 0 to the end of the last: no graph building, no warm-up.
        return (self.ends[-1] - self.ends[0]) / (len(self.ends) - 1) * 1000.0


def sgemm_ms(n_x, m, hidden=25, repeats=20):
    """Median ms of the epoch's dominant float32 work, W1 @ X and dZ1 @ X.T, done as
    whole-epoch matmuls by numpy (OpenBLAS) and by TensorFlow (oneDNN); the faster
    of the two is the yardstick.

    Returns:
        (ms of the faster, its name, flops)
    """
    from tfsigns._tf import import_tensorflow

    tf = import_tensorflow()
    rng = np.random.default_rng(0)
    X = rng.random((n_x, m), dtype=np.float32)  # (n_x, m)
    W1 = rng.random((hidden, n_x), dtype=np.float32)  # (25, n_x)
    dZ1 = rng.random((hidden, m), dtype=np.float32)  # (25, m)
    X_t, W1_t, dZ1_t = tf.constant(X), tf.constant(W1), tf.constant(dZ1)

    def numpy_epoch():
        W1 @ X  # forward: (25, m)
        dZ1 @ X.T  # weight gradient: (25, n_x)

    def tensorflow_epoch():
        tf.matmul(W1_t, X_t).numpy()
        tf.matmul(dZ1_t, X_t, transpose_b=True).numpy()

    results = {}
    for name, epoch in (("numpy sgemm", numpy_epoch), ("TF matmul", tensorflow_epoch)):
        epoch()  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            epoch()
            times.append(time.perf_counter() - start)
        results[name] = float(np.median(times)) * 1000.0
    name = min(results, key=results.get)
    return results[name], name, 2 * (2 * hidden * n_x * m), results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder with train_signs.h5 and test_signs.h5 (default: tfsigns' search order)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per path (default: 300; --edition tf2: 20, the eager loop is slow)")
    parser.add_argument("--skip-keras", action="store_true", help="time only the compat.v1 paths and the yardstick")
    parser.add_argument("--edition", choices=("v3", "tf2", "tf2-mean", "tf2-early"), default="v3", help="v3: the 2018 paths (default); tf2...: the TF2 edition's eager loop and its fast path")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 300 if args.edition == "v3" else 20
    if args.epochs < 2:
        parser.error(f"--epochs must be at least 2, received {args.epochs}")

    import os
    import platform

    from tfsigns import assignment, data
    from tfsigns._tf import import_tensorflow
    from tfsigns.tf_utils import convert_to_one_hot, flatten_images

    import straight_port

    tf = import_tensorflow()
    source = data.resolve_data_dir(args.data_dir)
    if args.edition != "v3":
        return tf2_main(args, source, tf)
    train_x, train_y, test_x, test_y, _ = data.load_dataset(source=source)
    arrays = (flatten_images(train_x), convert_to_one_hot(train_y, 6), flatten_images(test_x), convert_to_one_hot(test_y, 6))
    n_x, m = arrays[0].shape
    print(source.describe())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or 'cpu'}; "
        f"python {platform.python_version()}, tensorflow {tf.__version__}, numpy {np.__version__}"
    )
    print(f"epochs per path: {args.epochs}")

    rows = []  # (name, ms per epoch, epoch costs)

    # 1. The straight port: instrumented from outside through its random_mini_batches calls.
    clock = EpochClock()
    original = straight_port.random_mini_batches

    def timed_mini_batches(*a, **k):
        clock.ends.append(time.perf_counter())  # start of this epoch = end of the previous
        return original(*a, **k)

    straight_port.random_mini_batches = timed_mini_batches
    _, baseline_costs = straight_port.model(*arrays, num_epochs=args.epochs, print_cost=False)
    straight_port.random_mini_batches = original
    # ends[k] is the start of epoch k; epochs 1..N-1 span ends[1] .. ends[N-1] plus one epoch.
    straight_ms = (clock.ends[-1] - clock.ends[1]) / (len(clock.ends) - 2) * 1000.0
    rows.append(("straight port (notebook code)", straight_ms, baseline_costs))

    clock = EpochClock()
    assignment.train(*arrays, num_epochs=args.epochs, print_cost=False, on_epoch=clock)
    rows.append(("tfsigns compat.v1", clock.ms_per_epoch(), clock.costs))

    if not args.skip_keras:
        from tfsigns import keras_model

        for mode in ("parity", "idiomatic"):
            clock = EpochClock()
            keras_model.train(*arrays, mode=mode, num_epochs=args.epochs, print_cost=False, on_epoch=clock)
            rows.append((f"tfsigns Keras {mode}", clock.ms_per_epoch(), clock.costs))

    yardstick_ms, yardstick_name, flops, all_yardsticks = sgemm_ms(n_x, m)
    print(
        f"sgemm yardstick: {flops / 1e9:.2f} GFLOP per epoch; "
        + ", ".join(f"{name} {ms:.1f} ms ({flops / ms / 1e6:.1f} GFLOP/s)" for name, ms in all_yardsticks.items())
        + f"; using {yardstick_name}"
    )
    print()
    print(f"{'path':32} {'ms/epoch':>9} {'vs straight':>12} {'vs sgemm':>9}  costs vs straight port")
    for name, ms, costs in rows:
        printed_same = ["%f" % c for c in costs] == ["%f" % c for c in baseline_costs]
        difference = float(np.max(np.abs(np.array(costs) - np.array(baseline_costs))))
        verdict = "identical printed digits" if printed_same else "DIFFERENT printed digits"
        print(f"{name:32} {ms:9.1f} {straight_ms / ms:11.2f}x {ms / yardstick_ms:8.2f}x  {verdict} (max |diff| {difference:.2e})")
    return 0


def tf2_main(args, source, tf):
    """The TF2 edition: the notebook's eager loop and the fast path, timed in one run."""
    import os
    import platform

    from tfsigns import tf2

    datasets = tf2.load_datasets(source=source, edition=args.edition)
    print(source.describe())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or 'cpu'}; "
        f"python {platform.python_version()}, tensorflow {tf.__version__}, numpy {np.__version__}"
    )
    print(f"edition {args.edition}, epochs per path: {args.epochs}")
    rows = []
    for name, fast in (("eager loop (notebook code)", False), ("fast path (tf.function/epoch)", True)):
        clock = EpochClock()
        tf2.train(*datasets, num_epochs=args.epochs, edition=args.edition, fast=fast, print_cost=False, on_epoch=clock)
        rows.append((name, clock.ms_per_epoch(), clock.costs))
    eager_ms, eager_costs = rows[0][1], rows[0][2]
    print()
    print(f"{'path':32} {'ms/epoch':>9} {'vs eager':>9}  costs vs eager loop")
    for name, ms, costs in rows:
        printed_same = ["%f" % c for c in costs] == ["%f" % c for c in eager_costs]
        difference = float(np.max(np.abs(np.array(costs) - np.array(eager_costs))))
        verdict = "identical printed digits" if printed_same else "DIFFERENT printed digits"
        print(f"{name:32} {ms:9.1f} {eager_ms / ms:8.2f}x  {verdict} (max |diff| {difference:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
