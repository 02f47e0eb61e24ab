"""`python -m tfsigns samples --out FILE`: a grid of training images, one row per class."""
import argparse
from pathlib import Path

from tfsigns.commands import check_writable

NAME = "samples"
HELP = "Draw a grid of sample training images per class from the data in use (PNG)."
MAX_PER_CLASS = 30  # a wider grid has images too small to see


def add_arguments(parser):
    parser.add_argument("--out", metavar="FILE", required=True, help="PNG file to write")
    parser.add_argument("--data-dir", metavar="DIR", help="folder with train_signs.h5 and test_signs.h5 (default: TFSIGNS_DATA, ./data, else the embedded default)")
    parser.add_argument("--per-class", type=_per_class, default=6, metavar="N", help=f"images per class, 1..{MAX_PER_CLASS} (default: 6)")


def _per_class(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer 1..{MAX_PER_CLASS}, received {text!r}") from None
    if not 1 <= value <= MAX_PER_CLASS:
        raise argparse.ArgumentTypeError(f"expected an integer 1..{MAX_PER_CLASS}, received {text!r}")
    return value


def run(args):
    from tfsigns import data
    from tfsigns.plots import plot_samples

    check_writable(args.out, "--out")
    out = Path(args.out)

    source = data.resolve_data_dir(args.data_dir)
    print(source.describe(), flush=True)
    train_x_orig, train_y, _, _, _ = data.load_dataset(source=source)
    if source.kind == "embedded default":
        origin = "embedded default, drawn by tfsigns"
    else:
        origin = f"{data.TRAIN_FILE}: {source.train_status}"
    title = f"SIGNS training images, the first {args.per_class} of each class\n({origin})"
    plot_samples(train_x_orig, train_y, out, per_class=args.per_class, title=title)
    print(f"samples saved to {out}")
    return 0
