"""`python -m tfsigns parity`: compat.v1 and Keras (parity mode) from the same start, cost by cost.

Trains the compat.v1 network (`assignment.train`) and its Keras 3 equivalent
(`keras_model.train(mode="parity")`) on the same data for the same epochs,
then prints one row per epoch and, as the last line,

    max |cost difference| over N epochs: X

with X in `%.2e` form (e.g. `2.89e-08`): two significant digits are enough
for a difference, and the exponent keeps it readable at any size.

With `--edition tf2` (or `tf2-mean`) it compares the TF2 edition's own
GradientTape loop (`tf2.train`, the notebook's eager loop) with Keras
`model.fit(shuffle=False, batch_size=32)` from the same `GlorotNormal(seed=1)`
start, the edition's loss reduction and Keras' Adam (`tf2.fit_parity`), with
the same columns and last line.
"""
from tfsigns.commands import positive_int

NAME = "parity"
HELP = "Train compat.v1 and Keras (parity mode) from the same start and compare their epoch costs."


def add_arguments(parser):
    parser.add_argument("--data-dir", metavar="DIR", help="folder with train_signs.h5 and test_signs.h5 (default: TFSIGNS_DATA, ./data, else the embedded default)")
    parser.add_argument("--epochs", type=positive_int, default=100, metavar="N", help="epochs for each run (default: 100)")
    parser.add_argument("--edition", choices=("v3", "v3b") + TF2_EDITIONS, default="v3", help="cost convention: v3 divides the epoch cost by int(m/32), v3b by 32 (default: v3); tf2, tf2-mean: the TF2 edition's GradientTape loop against Keras fit")


TF2_EDITIONS = ("tf2", "tf2-mean")  # tf2-early (SGD, a dropped minibatch) has no fit counterpart here


def run(args):
    import time

    if args.edition in TF2_EDITIONS:
        return _run_tf2(args)

    from tfsigns import assignment, data, keras_model
    from tfsigns.progress import Progress
    from tfsigns.tf_utils import convert_to_one_hot, flatten_images

    source = data.resolve_data_dir(args.data_dir)
    print(source.describe(), flush=True)
    train_x_orig, train_y, test_x_orig, test_y, _ = data.load_dataset(source=source)
    arrays = (
        flatten_images(train_x_orig),  # (12288, m_train)
        convert_to_one_hot(train_y, 6),  # (6, m_train)
        flatten_images(test_x_orig),
        convert_to_one_hot(test_y, 6),
    )
    options = dict(num_epochs=args.epochs, edition=args.edition, print_cost=False)

    runs = {}
    for name, train in (("compat.v1", assignment.train), ("keras", _keras_parity(keras_model))):
        progress = Progress(args.epochs)
        costs = []

        def on_epoch(epoch, cost, costs=costs, progress=progress):
            costs.append(cost)
            progress.update(epoch, cost)

        started = time.perf_counter()
        result = train(*arrays, on_epoch=on_epoch, **options)
        seconds = time.perf_counter() - started
        progress.clear()
        runs[name] = (costs, seconds, result)

    compat_costs, keras_costs = runs["compat.v1"][0], runs["keras"][0]
    print(f"{'epoch':>5}  {'compat.v1':>10}  {'keras':>10}  {'|difference|':>12}")
    largest = 0.0
    for epoch, (compat_cost, keras_cost) in enumerate(zip(compat_costs, keras_costs)):
        difference = abs(compat_cost - keras_cost)
        largest = max(largest, difference)
        print(f"{epoch:5d}  {compat_cost:10.6f}  {keras_cost:10.6f}  {difference:12.2e}")
    for name, (_, seconds, result) in runs.items():
        print(
            f"{name}: train accuracy {assignment.format_accuracy(result.train_accuracy)}, "
            f"test accuracy {assignment.format_accuracy(result.test_accuracy)}, "
            f"{seconds:.1f} s ({seconds / args.epochs * 1000:.0f} ms/epoch including setup)"
        )
    print(f"max |cost difference| over {args.epochs} epochs: {largest:.2e}")
    return 0


def _keras_parity(keras_model):
    def train(*arrays, **options):
        return keras_model.train(*arrays, mode="parity", **options)

    return train


def _run_tf2(args):
    """The TF2 edition's GradientTape loop against Keras fit, from the same GlorotNormal(seed=1) start."""
    import time

    from tfsigns import data, tf2
    from tfsigns.progress import Progress

    source = data.resolve_data_dir(args.data_dir)
    print(source.describe(), flush=True)
    datasets = tf2.load_datasets(source=source, edition=args.edition)
    runs = {}
    for name in ("tf2", "keras fit"):
        progress = Progress(args.epochs)
        costs = []

        def on_epoch(epoch, cost, costs=costs, progress=progress):
            costs.append(cost)
            progress.update(epoch, cost)

        started = time.perf_counter()
        if name == "tf2":
            # The notebook's own loop, eagerly, as a learner runs it.
            tf2.train(*datasets, num_epochs=args.epochs, edition=args.edition, fast=False, print_cost=False, on_epoch=on_epoch)
        else:
            tf2.fit_parity(datasets[0], datasets[1], num_epochs=args.epochs, edition=args.edition, on_epoch=on_epoch)
        runs[name] = (costs, time.perf_counter() - started)
        progress.clear()

    print(f"{'epoch':>5}  {'tf2':>10}  {'keras fit':>10}  {'|difference|':>12}")
    largest = 0.0
    for epoch, (tape_cost, fit_cost) in enumerate(zip(runs["tf2"][0], runs["keras fit"][0])):
        difference = abs(tape_cost - fit_cost)
        largest = max(largest, difference)
        print(f"{epoch:5d}  {tape_cost:10.6f}  {fit_cost:10.6f}  {difference:12.2e}")
    for name, (_, seconds) in runs.items():
        label = "tf2 (GradientTape, eager)" if name == "tf2" else "keras fit"
        print(f"{label}: {seconds:.1f} s ({seconds / args.epochs * 1000:.0f} ms/epoch including setup)")
    print(f"max |cost difference| over {args.epochs} epochs: {largest:.2e}")
    return 0
