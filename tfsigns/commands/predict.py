"""`python -m tfsigns predict IMAGE...`: what the trained network says about your photos.

Output, one line per image on stdout:

    <path>: y = <class> (probability <p>)

with `<p>` the softmax probability of that class printed with three decimals
(`%.3f`: "1.000" means at least 0.9995). `--verbose` adds, under each image,
the six class probabilities and how the file was read. A file that cannot be
predicted gives one `error: <path>: <problem>` line on stderr; the other
images are still predicted. Exit code: 0 when every image was predicted, 1 when
some were not, 2 when nothing could start (parameters file, --plot).
"""
import sys
from pathlib import Path

from tfsigns.commands import check_writable
from tfsigns.errors import ImageError, ParametersError

NAME = "predict"
HELP = "Predict the hand sign (0-5) in image files with trained parameters."
# Where `train --out` is suggested to write, and where predict looks by default.
DEFAULT_PARAMETERS = "tfsigns_parameters.npz"
PLOT_LIMIT = 12  # rows of a --plot; more would make an unreadably tall picture
EXIT_SOME_FAILED = 1


def add_arguments(parser):
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (any format Pillow reads, any size)")
    parser.add_argument(
        "--params",
        metavar="FILE",
        default=DEFAULT_PARAMETERS,
        help=f"parameters saved by `python -m tfsigns train --out FILE` (default: ./{DEFAULT_PARAMETERS})",
    )
    parser.add_argument("--plot", metavar="FILE", help=f"write each photo beside its class probabilities to this PNG (first {PLOT_LIMIT} images)")
    parser.add_argument("--verbose", action="store_true", help="also print the six class probabilities and how each file was read")


def run(args):
    from tfsigns.params import load_parameters
    from tfsigns.prediction import predict_files

    check_writable(args.plot, "--plot")
    if not Path(args.params).exists():
        raise ParametersError(
            f"{args.params}: parameters file not found; make one with "
            f"`python -m tfsigns train --out {args.params}` or pass --params FILE"
        )
    parameters, metadata = load_parameters(args.params)
    if args.verbose:
        print(_describe_parameters(args.params, metadata))

    outcomes = predict_files(args.images, parameters)
    predictions = []
    for outcome in outcomes:
        if isinstance(outcome, ImageError):
            sys.stdout.flush()
            print(f"error: {outcome}", file=sys.stderr, flush=True)
            continue
        predictions.append(outcome)
        print(f"{outcome.image.name}: y = {outcome.label} (probability {outcome.probability:.3f})")
        if args.verbose:
            print("  probabilities: " + "  ".join(f"{c}: {p:.3f}" for c, p in enumerate(outcome.probabilities)))
            print("  read: " + "; ".join([outcome.image.source] + outcome.image.notes))
    sys.stdout.flush()

    if args.plot and predictions:
        from tfsigns.plots import plot_prediction

        shown = predictions[:PLOT_LIMIT]
        plot_prediction(shown, args.plot)
        more = f" (the first {len(shown)} of {len(predictions)} images)" if len(predictions) > len(shown) else ""
        print(f"prediction plot saved to {args.plot}{more}")
    return EXIT_SOME_FAILED if len(predictions) < len(outcomes) else 0


def _describe_parameters(path, metadata):
    """One line on where the parameters came from, from the file's metadata."""
    facts = [metadata[key] for key in ("backend", "edition") if metadata.get(key)]
    if metadata.get("num_epochs"):
        facts.append(f"{metadata['num_epochs']} epochs")
    for key in ("train_accuracy", "test_accuracy"):
        if isinstance(metadata.get(key), (int, float)):
            facts.append(f"{key.replace('_', ' ')} {metadata[key]:.6g}")
    if metadata.get("data"):
        # train stores DataSource.describe(), which already starts with "data: ".
        data = str(metadata["data"])
        facts.append(data if data.startswith("data: ") else f"data: {data}")
    return f"parameters: {path}" + (f" ({', '.join(str(fact) for fact in facts)})" if facts else "")


