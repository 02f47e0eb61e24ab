"""The CLI's commands, one module each (see tfsigns/cli.py), and their shared argument checks."""
import argparse
import tempfile
from pathlib import Path

from tfsigns.errors import TfsignsError


def positive_int(text):
    """argparse type: an integer >= 1, with the received text in the error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def positive_float(text, what="a positive number"):
    """argparse type: a finite number > 0, with the received text in the error."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None
    if not 0 < value < float("inf"):  # also rejects nan
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}")
    return value


def check_writable(path, flag):
    """Fail before the work, not after, when the output file `path` of `flag` cannot be written."""
    if not path:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise TfsignsError(f"{flag}: folder {parent} does not exist (received {path!r})")
    if Path(path).is_dir():
        raise TfsignsError(f"{flag}: {path} is a directory, expected a file name")
    # Create and delete a file there: os.access() only checks permissions, and it
    # lets root through where no file can be created (/sys), so the write then
    # failed after the training, with a traceback.
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".tfsigns-probe-"):
            pass
    except OSError as error:
        raise TfsignsError(f"{flag}: folder {parent} is not writable ({error.strerror or error}; received {path!r})") from None
