"""Save and load trained parameters: the assignment's W1..b3 plus metadata, in one `.npz`.

An `.npz` of plain float32 arrays and one JSON string is portable (numpy
alone reads it) and loads without pickle. Parameters from either backend
(compat.v1 or Keras, converted) are stored the same way.
"""
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from tfsigns.errors import ParametersError

PARAMETER_SHAPES = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}
FORMAT = "tfsigns-parameters/1"


def save_parameters(path, parameters, metadata=None):
    """Write parameters and metadata to `path` (an `.npz`), atomically.

    Args:
        path: file to write; `.npz` is appended by numpy if missing, so give it.
        parameters: dict of arrays W1 (25, 12288), b1 (25, 1), W2 (12, 25),
            b2 (12, 1), W3 (6, 12), b3 (6, 1).
        metadata: JSON-serialisable dict (edition, data fingerprint, accuracies, ...).

    Returns:
        The path written.
    """
    path = Path(path)
    arrays = {name: np.asarray(parameters[name], dtype=np.float32) for name in PARAMETER_SHAPES}
    _check_shapes(arrays, path)
    meta = {"format": FORMAT, **(metadata or {})}
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: a crash never leaves a half file.
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, metadata=np.array(json.dumps(meta, sort_keys=True)), **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_parameters(path):
    """Read a parameters file written by `save_parameters`.

    Returns:
        (parameters, metadata): dict of float32 arrays W1..b3 with the shapes
        above, and the metadata dict.

    Raises:
        ParametersError: missing, not a parameters file, corrupt, or wrong shapes.
    """
    path = Path(path)
    if not path.exists():
        raise ParametersError(f"{path}: parameters file not found")
    if path.is_dir():
        raise ParametersError(f"{path}: is a directory, expected a parameters .npz file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            missing = [name for name in PARAMETER_SHAPES if name not in names]
            if missing:
                raise ParametersError(
                    f"{path}: not a tfsigns parameters file (missing {', '.join(missing)}; has {', '.join(sorted(names)) or 'nothing'})"
                )
            parameters = {name: np.asarray(archive[name], dtype=np.float32) for name in PARAMETER_SHAPES}
            metadata = json.loads(str(archive["metadata"])) if "metadata" in names else {}
    except ParametersError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as error:
        raise ParametersError(f"{path}: cannot read parameters ({type(error).__name__}: {error})") from None
    _check_shapes(parameters, path)
    for name, array in parameters.items():
        if not np.all(np.isfinite(array)):
            raise ParametersError(f"{path}: {name} holds NaN or infinite values")
    return parameters, metadata


def _check_shapes(arrays, path):
    for name, shape in PARAMETER_SHAPES.items():
        if arrays[name].shape != shape:
            raise ParametersError(f"{path}: {name} has shape {arrays[name].shape}, expected {shape}")
