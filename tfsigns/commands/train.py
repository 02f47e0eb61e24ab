"""`python -m tfsigns train`: run model() and print what the notebook printed."""
from tfsigns.commands import check_writable, positive_float, positive_int
from tfsigns.errors import TfsignsError

NAME = "train"
HELP = "Train the assignment's network (model()) and print the notebook's lines."
BACKENDS = ("compat.v1", "keras")
TF1_EDITIONS = ("v3", "v3b")
TF2_EDITIONS = ("tf2", "tf2-mean", "tf2-early")  # tfsigns.tf2.EDITIONS, without importing TensorFlow for --help
DEFAULT_EPOCHS = 1500  # model()'s default; the TF2 notebooks call it with their own (tf2.NOTEBOOK_EPOCHS)


def add_arguments(parser):
    parser.add_argument("--data-dir", metavar="DIR", help="folder with train_signs.h5 and test_signs.h5 (default: TFSIGNS_DATA, ./data, else the embedded default)")
    parser.add_argument("--epochs", type=positive_int, default=None, metavar="N", help="num_epochs (default: 1500; the TF2 editions: what their notebooks run, 100, tf2-early 200)")
    parser.add_argument("--edition", choices=TF1_EDITIONS + TF2_EDITIONS, default="v3", help="cost convention: v3 divides the epoch cost by int(m/32), v3b by 32 (default: v3); tf2, tf2-mean, tf2-early: the TF2 edition's notebook (eager TF2, tfsigns.tf2)")
    parser.add_argument("--learning-rate", type=positive_float, default=0.0001, help="Adam learning rate (default: 0.0001)")
    parser.add_argument("--minibatch-size", type=positive_int, default=32, metavar="N", help="(default: 32)")
    parser.add_argument("--backend", choices=BACKENDS, default="compat.v1", help="compat.v1 (the session-era code, default) or keras (Keras 3)")
    parser.add_argument("--keras-mode", choices=("parity", "idiomatic"), default="parity", help="with --backend keras: parity (same start, batches and Adam as compat.v1, default) or idiomatic (Keras' own initializers, Adam and fit)")
    parser.add_argument("--out", metavar="FILE", help="save the trained parameters (W1..b3 and metadata) to this .npz")
    parser.add_argument("--plot", metavar="FILE", help="write the cost curve to this PNG")
    parser.add_argument("--quiet", action="store_true", help="no progress line on the terminal")


def check_minibatch_size(m, minibatch_size, edition):
    """Fail before training when the edition's epoch-cost normaliser would be 0."""
    from tfsigns.assignment import cost_normaliser

    try:
        cost_normaliser(m, minibatch_size, edition)
    except ValueError as error:
        raise TfsignsError(f"--minibatch-size: {error}") from None


def run(args):
    if args.edition in TF2_EDITIONS:
        return _run_tf2(args)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS
    from tfsigns import data
    from tfsigns.progress import Progress
    from tfsigns.tf_utils import convert_to_one_hot, flatten_images

    check_writable(args.out, "--out")
    check_writable(args.plot, "--plot")
    source = data.resolve_data_dir(args.data_dir)
    print(source.describe(), flush=True)
    train_x_orig, train_y, test_x_orig, test_y, classes = data.load_dataset(source=source)
    check_minibatch_size(len(train_x_orig), args.minibatch_size, args.edition)
    X_train, X_test = flatten_images(train_x_orig), flatten_images(test_x_orig)
    Y_train, Y_test = convert_to_one_hot(train_y, 6), convert_to_one_hot(test_y, 6)
    progress = Progress(args.epochs, enabled=False if args.quiet else None)
    options = dict(
        learning_rate=args.learning_rate,
        num_epochs=args.epochs,
        minibatch_size=args.minibatch_size,
        edition=args.edition,
        on_epoch=progress.update,
        plot_file=args.plot,
        print_fn=progress.print,
    )
    if args.backend == "keras":
        from tfsigns import keras_model

        if args.keras_mode == "idiomatic":
            # fit draws Keras' own progress bar on a terminal; ours would fight it.
            progress.enabled = False
            options["verbose"] = 0 if args.quiet else None
        result = keras_model.train(X_train, Y_train, X_test, Y_test, mode=args.keras_mode, **options)
    else:
        from tfsigns import assignment

        result = assignment.train(X_train, Y_train, X_test, Y_test, **options)
    progress.clear()

    if args.out:
        from tfsigns.params import save_parameters

        metadata = {
            "backend": args.backend if args.backend != "keras" else f"keras ({args.keras_mode})",
            "edition": args.edition,
            "num_epochs": args.epochs,
            "learning_rate": args.learning_rate,
            "minibatch_size": args.minibatch_size,
            "data": source.describe(),
            "train_status": source.train_status,
            "test_status": source.test_status,
            "train_accuracy": result.train_accuracy,
            "test_accuracy": result.test_accuracy,
        }
        path = save_parameters(args.out, result.parameters, metadata)
        print(f"parameters saved to {path}")
    if args.plot:
        print(f"cost curve saved to {args.plot}")
    return 0


def _run_tf2(args):
    """The TF2 edition's model(): the notebook's lines every 10 epochs, its datasets, its loop (fast path)."""
    if args.backend != "compat.v1":
        raise TfsignsError(
            f"--backend: the TF2 editions run their own eager loop (tfsigns.tf2); --backend applies to v3 and v3b; received {args.backend}"
        )
    from tfsigns import data
    from tfsigns.progress import Progress

    check_writable(args.out, "--out")
    check_writable(args.plot, "--plot")
    source = data.resolve_data_dir(args.data_dir)
    print(source.describe(), flush=True)
    from tfsigns import tf2

    num_epochs = args.epochs if args.epochs is not None else tf2.NOTEBOOK_EPOCHS[args.edition]
    datasets = tf2.load_datasets(source=source, edition=args.edition)
    m = int(datasets[0].cardinality())
    if args.edition == "tf2-early" and args.minibatch_size > m:
        raise TfsignsError(
            f"--minibatch-size: edition tf2-early drops the last partial minibatch, so it must be at most "
            f"m = {m} training examples; received {args.minibatch_size}"
        )
    progress = Progress(num_epochs, enabled=False if args.quiet else None)
    result = tf2.train(
        *datasets,
        learning_rate=args.learning_rate,
        num_epochs=num_epochs,
        minibatch_size=args.minibatch_size,
        edition=args.edition,
        on_epoch=progress.update,
        print_fn=progress.print,
    )
    progress.clear()

    if args.out:
        from tfsigns.params import save_parameters

        metadata = {
            "backend": "tf2 (eager TF2, GradientTape)",
            "edition": args.edition,
            "num_epochs": num_epochs,
            "learning_rate": args.learning_rate,
            "minibatch_size": args.minibatch_size,
            "data": source.describe(),
            "train_status": source.train_status,
            "test_status": source.test_status,
            "train_accuracy": result.train_accuracy,
            "test_accuracy": result.test_accuracy,
        }
        path = save_parameters(args.out, result.numpy_parameters(), metadata)
        print(f"parameters saved to {path}")
    if args.plot:
        from tfsigns.plots import plot_costs

        # The TF2 notebooks plot `costs` (every 10 epochs; tf2-early every 5) with the
        # x label "iterations (per fives)", which is v3b's.
        plot_costs([float(cost) for cost in result.costs], args.learning_rate, args.plot, edition="v3b")
        print(f"cost curve saved to {args.plot}")
    return 0
