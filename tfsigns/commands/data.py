"""`python -m tfsigns data`: which SIGNS data would be used, and is it the course's?

    python -m tfsigns data [--data-dir DIR]    show the source, each file's size and fingerprint status
    python -m tfsigns data fetch [--dest DIR]  download the official files, verified (default ./data)

Does not import TensorFlow.
"""
from tfsigns import data

NAME = "data"
HELP = "show which SIGNS data would be used and whether it is the course's; 'data fetch' downloads it"


def add_arguments(parser):
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"folder holding {data.TRAIN_FILE} and {data.TEST_FILE} "
        f"(default: ${data.DATA_ENV}, ./data, ./datasets, else the embedded default)",
    )
    commands = parser.add_subparsers(dest="data_command", metavar="{fetch}")
    fetch = commands.add_parser(
        "fetch",
        help="download the official files from the pinned mirrors, verified by fingerprint",
        description=(
            "Download train_signs.h5 and test_signs.h5 from public copies pinned at a commit, "
            "keeping only files whose fingerprint is the official one. "
            f"${data.MIRRORS_ENV} (space-separated base URLs; a file's URL is base/filename) "
            "replaces the built-in mirrors."
        ),
    )
    fetch.add_argument(
        "--dest",
        metavar="DIR",
        default=str(data.DEFAULT_DEST),
        help=f"folder to download into (default: ./{data.DEFAULT_DEST})",
    )
    fetch.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=data.DEFAULT_TIMEOUT,
        help=f"give up on a mirror after this long without data (default: {data.DEFAULT_TIMEOUT})",
    )


def run(args):
    if getattr(args, "data_command", None) == "fetch":
        return _fetch(args)
    return _show(args)


def _show(args):
    source = data.resolve_data_dir(args.data_dir)
    # Validate too: "this data would be used" must mean it loads.
    rows = []
    for which, path, status in (
        ("train", source.train_path, source.train_status),
        ("test", source.test_path, source.test_status),
    ):
        _, y, _ = data.validate(path, which)
        rows.append(f"  {path}: {path.stat().st_size:,} bytes, {status}; {len(y)} images, {_per_class(y)}")
    print(source.describe())
    for row in rows:
        print(row)
    if not source.official:
        print(
            "  (the published costs and accuracies are for the official files; "
            "'python -m tfsigns data fetch' downloads them)"
        )
    return 0


def _per_class(y):
    counts = [int((y == label).sum()) for label in range(6)]
    if len(set(counts)) == 1:
        return f"{counts[0]} per class"
    return "per class " + " ".join(f"{label}:{count}" for label, count in enumerate(counts))


def _fetch(args):
    paths = data.fetch(args.dest, timeout=args.timeout)
    for path in paths:
        print(f"{path}: official (verified)")
    return 0
