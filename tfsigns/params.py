"""Save and load trained parameters: the assignment's W1..b3 plus metadata, in one `.npz`.

An `.npz` of plain float32 arrays and one JSON string is portable (numpy
alone reads it) and loads without pickle. Parameters from either backend
(compat.v1 or Keras, converted) are stored the same way.
"""
import json
import os
import secrets
import zipfile
import zlib
from pathlib import Path

import numpy as np

from tfsigns.errors import ParametersError
from tfsigns.expected import PARAMETER_SHAPES

FORMAT = "tfsigns-parameters/1"
ZIP_SIGNATURE = b"PK\x03\x04"  # what every non-empty .npz (a zip archive) starts with


def save_parameters(path, parameters, metadata=None):
    """Write parameters and metadata to `path` (an `.npz`), atomically.

    Args:
        path: file to write, exactly as named (no suffix is added: give it `.npz`).
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
    # os.open with mode 0o666 lets the umask decide the permissions, as for any
    # new file (mkstemp would make it readable by its owner only).
    temporary = directory / f".tmp-{path.name}-{secrets.token_hex(6)}"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, metadata=np.array(json.dumps(meta, sort_keys=True)), **arrays)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def load_parameters(path):
    """Read a parameters file written by `save_parameters`.

    Args:
        path: the `.npz` file.

    Returns:
        (parameters, metadata): dict of float32 arrays W1 (25, 12288),
        b1 (25, 1), W2 (12, 25), b2 (12, 1), W3 (6, 12), b3 (6, 1), and the
        metadata dict (empty when the file has none).

    Raises:
        ParametersError: one line "<path>: <problem>" when the file is missing,
            a directory, empty, not an `.npz` (zip) file, truncated or corrupt,
            lacks W1..b3, holds arrays of the wrong shape or type, or holds NaN
            or infinite values.
    """
    path = Path(path)
    if not path.exists():
        raise ParametersError(f"{path}: parameters file not found")
    if path.is_dir():
        raise ParametersError(f"{path}: is a directory, expected a parameters .npz file")
    try:
        with open(path, "rb") as stream:
            signature = stream.read(len(ZIP_SIGNATURE))
    except OSError as error:
        raise ParametersError(f"{path}: cannot read ({error.strerror or error})") from None
    if not signature:
        raise ParametersError(f"{path}: empty file, expected a parameters .npz file")
    if signature != ZIP_SIGNATURE:
        # np.load would try a .npy or a pickle; neither is a parameters file.
        raise ParametersError(f"{path}: not a parameters .npz file (no zip signature at the start)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            missing = [name for name in PARAMETER_SHAPES if name not in names]
            if missing:
                raise ParametersError(
                    f"{path}: not a tfsigns parameters file (missing {', '.join(missing)}; has {', '.join(sorted(names)) or 'nothing'})"
                )
            raw = {name: archive[name] for name in PARAMETER_SHAPES}
            metadata_text = str(archive["metadata"]) if "metadata" in names else "{}"
    except ParametersError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ParametersError(f"{path}: corrupt or truncated .npz file ({error})") from None
    except (OSError, ValueError, KeyError) as error:
        raise ParametersError(f"{path}: cannot read parameters ({type(error).__name__}: {error})") from None
    for name, array in raw.items():
        if array.dtype.kind not in "fiu":
            raise ParametersError(f"{path}: {name} holds {array.dtype} values, expected floating point")
    parameters = {name: np.asarray(array, dtype=np.float32) for name, array in raw.items()}
    _check_shapes(parameters, path)
    for name, array in parameters.items():
        if not np.all(np.isfinite(array)):
            raise ParametersError(f"{path}: {name} holds NaN or infinite values")
    try:
        metadata = json.loads(metadata_text)
    except ValueError:
        raise ParametersError(f"{path}: metadata is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise ParametersError(f"{path}: metadata is not a JSON object")
    return parameters, metadata


def _check_shapes(arrays, path):
    for name, shape in PARAMETER_SHAPES.items():
        if arrays[name].shape != shape:
            raise ParametersError(f"{path}: {name} has shape {arrays[name].shape}, expected {shape}")
