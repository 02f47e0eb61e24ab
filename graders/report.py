"""Writers of a `Results`: the text report, Gradescope's results.json and Coursera's answer, nothing else."""
import json
import os
import sys
import tempfile
from pathlib import Path


def write_text(results, stream=None):
    """The text report, on stdout unless another stream is given."""
    stream = sys.stdout if stream is None else stream
    stream.write(results.summary())
    stream.flush()


def write_json(results, path):
    """Gradescope's results.json at `path`, written atomically (a reader never sees half a file).

    Raises:
        OSError: the folder is missing or not writable.
    """
    return _write_atomically(results.to_gradescope_dict(), path)


def write_coursera_json(results, path):
    """Coursera's custom-grader answer (`{"fractionalScore": ..., "feedback": ...}`) at `path`, written atomically.

    Raises:
        OSError: the folder is missing or not writable.
    """
    return _write_atomically(results.to_coursera_dict(), path)


def _write_atomically(data, path):
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
