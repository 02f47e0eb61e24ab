"""`python -m tfsigns train`: run model() and print what the notebook printed."""
from tfsigns.commands import check_writable, positive_float, positive_int
from tfsigns.errors import TfsignsError

NAME = "train"
HELP = "Train the assignment's network (model()) and print the notebook's lines."
BACKENDS = ("compat.v1", "keras")


def add_arguments(parser):
    parser.add_argument("--data-dir", metavar="DIR", help="folder with train_signs.h5 and test_signs.h5 (default: TFSIGNS_DATA, ./data, else the embedded default)")
    parser.add_argument("--epochs", type=positive_int, default=1500, metavar="N", help="num_epochs (default: 1500)")
    parser.add_argument("--edition", choices=("v3", "v3b"), default="v3", help="cost convention: v3 divides the epoch cost by int(m/32), v3b by 32 (default: v3)")
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
