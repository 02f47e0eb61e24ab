"""The SIGNS data: where it comes from, whether it is the course's, loading, download.

Four sources, tried in this order by `resolve_data_dir`:

1. a folder given as an argument (`--data-dir`);
2. the folder named by the environment variable `TFSIGNS_DATA`;
3. `./data/`, then `./datasets/` (the course's folder name), in the working
   directory, when the folder holds both `train_signs.h5` and `test_signs.h5`;
4. the embedded default: a SIGNS-like set drawn by `tfsigns.synthetic`,
   generated on first use into the cache folder. It is not the course's data.

A folder named explicitly (1 or 2) that lacks a file is an error, never a
silent fall-back to another source.

Whether a file is the course's is decided by its fingerprint, never by its
name: the official `test_signs.h5` by its sha256, the official
`train_signs.h5` by its git blob id (the sha256 of that file is not known,
the blob id is what the public repositories that hold it publish).

Every problem with a file is a `DataError` whose message is one line naming
the file and what was wrong with it. TensorFlow is not imported here.
"""
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from tfsigns import synthetic
from tfsigns.errors import DataError, FetchError

TRAIN_FILE = "train_signs.h5"
TEST_FILE = "test_signs.h5"
FILENAMES = {"train": TRAIN_FILE, "test": TEST_FILE}

# Fingerprints of the official course files (REFERENCE.md, "Data: the SIGNS set").
TEST_SHA256 = "539fb746ed9e947eb244cfca73f4d1b03f9bf5524d609eeed2cd76ddb1b179be"
TEST_SIZE = 1_477_712
TRAIN_GIT_BLOB = "15904fbeb148848aea50d42c96a539b7bd11c4e5"
_EXPECTED = {"train": TRAIN_GIT_BLOB, "test": TEST_SHA256}

# Public copies of the official files, pinned at a commit. A mirror is a base
# URL; a file's URL is the base, "/", and the file name (`mirror_url`). The
# environment variable TFSIGNS_MIRRORS (space-separated base URLs, any scheme
# urllib reads: https://, http://, file://) replaces this list.
_RAW = "https://raw.githubusercontent.com"
MIRRORS = (
    f"{_RAW}/itsayushthada/Convolution-Neural-Network/fd28f400f7ac0605657efcfd4f9dc3e354e0abf1/datasets",
    f"{_RAW}/Muscade/TensorFlowEdu/43e73b67b2943b568392399f561dc86cbbb11874/datasets",
    f"{_RAW}/DrAlexSanz/CNN-in-TF/5f0da09b23d8920755c2d0087debebdfe3ce8bf0",
)

DATA_ENV = "TFSIGNS_DATA"
CACHE_ENV = "TFSIGNS_CACHE"
MIRRORS_ENV = "TFSIGNS_MIRRORS"
DEFAULT_DEST = Path("data")  # where `fetch` puts the files: found there by `resolve_data_dir`
DEFAULT_TIMEOUT = 30  # seconds without data before a download attempt is given up
EMBEDDED_SEED = 0

# Values of DataSource.train_status / test_status.
OFFICIAL = "official"
NOT_OFFICIAL = "not the official file"
EMBEDDED = "embedded default"

# Working-directory folders tried, in order ("datasets" is the course's name).
_WORKING_FOLDERS = ("data", "datasets")
_ORIGINS = {"argument": "--data-dir", "environment": DATA_ENV}
_N_CLASSES = 6
_IMAGE_SHAPE = (64, 64, 3)
_CHUNK = 1 << 20  # bytes hashed or downloaded at a time
_MAX_DOWNLOAD = 200 * 1024 * 1024  # the official files are ~15 MB; anything far larger is not one


# ---------------------------------------------------------------------------
# Fingerprints


def git_blob_id(content):
    """Git's blob id of `content` (bytes): sha1 of `b"blob <size>\\0" + content`, as hex."""
    digest = hashlib.sha1(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def fingerprint(path, which):
    """The fingerprint the official file `which` ("train" or "test") is recognised by.

    Returns the hex sha256 of the file for "test", its git blob id for
    "train". Hashed in chunks; cached in-process by (path, size, mtime), so
    asking again about an unchanged file is free.
    """
    _check_which(which)
    path = Path(path)
    stat = _stat_data_file(path)
    key = (str(path.resolve()), which, stat.st_size, stat.st_mtime_ns)
    if key not in _fingerprint_cache:
        _fingerprint_cache[key] = _hash_file(path, which, stat.st_size)
    return _fingerprint_cache[key]


_fingerprint_cache = {}


def file_status(path, which):
    """"official" when `path` has the official fingerprint of `which` ("train"/"test"), else "not the official file"."""
    return OFFICIAL if fingerprint(path, which) == _EXPECTED[which] else NOT_OFFICIAL


def _hash_file(path, which, size):
    """Hash the file in chunks: sha256 for "test", git blob id (needs `size` up front) for "train"."""
    digest = hashlib.sha256() if which == "test" else hashlib.sha1(b"blob %d\0" % size)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_which(which):
    if which not in FILENAMES:
        raise ValueError(f"which must be 'train' or 'test', got {which!r}")


def _stat_data_file(path):
    """os.stat of a data file, or a DataError saying it is missing or a directory."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: not found") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from None
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected an HDF5 file")
    return stat


# ---------------------------------------------------------------------------
# Where the data comes from


@dataclass(frozen=True)
class DataSource:
    """Which data files will be used, where they were found, and whether they are the course's.

    Attributes:
        kind: "argument", "environment", "working directory" or "embedded default".
        directory: the folder holding both files.
        train_path, test_path: the two h5 files.
        train_status, test_status: "official", "not the official file", or
            "embedded default" (not fingerprinted: it is tfsigns' own data).
    """

    kind: str
    directory: Path
    train_path: Path
    test_path: Path
    train_status: str
    test_status: str

    def describe(self):
        """One line: the folder, how it was chosen, and each file's status."""
        if self.kind == "embedded default":
            return f"data: {self.directory} (embedded default: generated by tfsigns, not the course's data)"
        if self.kind == "working directory":
            origin = f"found ./{self.directory.name} in the working directory"
        else:
            origin = f"from {_ORIGINS[self.kind]}"
        return (
            f"data: {self.directory} ({origin}): "
            f"{TRAIN_FILE} {self.train_status}, {TEST_FILE} {self.test_status}"
        )

    @property
    def official(self):
        """True when both files are the course's own."""
        return self.train_status == OFFICIAL and self.test_status == OFFICIAL


def resolve_data_dir(data_dir=None):
    """Choose the data folder: argument, TFSIGNS_DATA, ./data, ./datasets, else the embedded default.

    Args:
        data_dir: a folder holding `train_signs.h5` and `test_signs.h5`, or
            `None` to look further. Defaults to `None`.

    Returns:
        A `DataSource`. Fingerprints are computed (cached) for every source but
        the embedded default.

    Raises:
        DataError: `data_dir` or TFSIGNS_DATA names a folder that is missing
            or lacks a file (named in the message).
    """
    if data_dir is not None and str(data_dir) != "":
        return _explicit_source(Path(data_dir), "argument")
    if os.environ.get(DATA_ENV):
        return _explicit_source(Path(os.environ[DATA_ENV]), "environment")
    for name in _WORKING_FOLDERS:
        directory = Path.cwd() / name
        if (directory / TRAIN_FILE).is_file() and (directory / TEST_FILE).is_file():
            return _source(directory, "working directory")
    directory = embedded_default_dir()
    return DataSource(
        "embedded default", directory, directory / TRAIN_FILE, directory / TEST_FILE, EMBEDDED, EMBEDDED
    )


def _explicit_source(directory, kind):
    directory = directory.expanduser().absolute()
    origin = _ORIGINS[kind]
    if not directory.exists():
        raise DataError(f"{directory}: data directory not found (given by {origin})")
    if not directory.is_dir():
        raise DataError(
            f"{directory}: not a directory (given by {origin}; expected a folder holding {TRAIN_FILE} and {TEST_FILE})"
        )
    for filename in (TRAIN_FILE, TEST_FILE):
        path = directory / filename
        if not path.exists():
            raise DataError(
                f"{path}: not found (the data directory given by {origin} must hold {TRAIN_FILE} and {TEST_FILE})"
            )
    return _source(directory, kind)


def _source(directory, kind):
    train_path, test_path = directory / TRAIN_FILE, directory / TEST_FILE
    return DataSource(
        kind, directory, train_path, test_path, file_status(train_path, "train"), file_status(test_path, "test")
    )


def cache_dir():
    """tfsigns' cache folder: TFSIGNS_CACHE, else $XDG_CACHE_HOME/tfsigns, else ~/.cache/tfsigns."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tfsigns"


def embedded_default_name():
    """The embedded default's folder name inside the cache: one per generator version."""
    return f"embedded-v{synthetic.GENERATOR_VERSION}"


def embedded_default_dir():
    """The folder holding the embedded default data, generated there on first use.

    The folder is `<cache>/embedded-v<GENERATOR_VERSION>`, so a new generator
    never reuses old files. `synthetic.write_h5` moves each finished file into
    place with `os.replace`: a process running at the same time sees either no
    file or a whole one (at worst both generate the same bytes).
    """
    directory = cache_dir() / embedded_default_name()
    if not ((directory / TRAIN_FILE).is_file() and (directory / TEST_FILE).is_file()):
        try:
            synthetic.write_h5(directory, seed=EMBEDDED_SEED)
        except OSError as error:
            raise DataError(
                f"{directory}: cannot write the embedded default data ({error.strerror or error}); "
                f"set {CACHE_ENV} to a writable folder"
            ) from None
    return directory


# ---------------------------------------------------------------------------
# Reading and validating


def load_dataset(data_dir=None, source=None):
    """Load SIGNS as the course's `tf_utils.load_dataset` did, after validating both files.

    Args:
        data_dir: passed to `resolve_data_dir` when `source` is not given.
        source: a `DataSource` from `resolve_data_dir`, to avoid resolving twice.

    Returns:
        `(train_set_x_orig, train_set_y_orig, test_set_x_orig, test_set_y_orig, classes)`:
        x uint8 (m, 64, 64, 3); y int64 (1, m); classes int64 (6,) from the test file.

    Raises:
        DataError: a file is missing or not in the SIGNS schema (see `validate`).
    """
    if source is None:
        source = resolve_data_dir(data_dir)
    train_x, train_y, _ = validate(source.train_path, "train")
    test_x, test_y, classes = validate(source.test_path, "test")
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes


def validate(path, which):
    """Read one SIGNS file and check it against the course's schema.

    Args:
        path: the h5 file.
        which: "train" or "test": the keys are `<which>_set_x`, `<which>_set_y`
            and `list_classes`.

    Returns:
        `(x, y, classes)`: x uint8 (m, 64, 64, 3), y int64 (m,), classes int64 (6,).

    Raises:
        DataError: one line naming the file and the problem: missing file,
            directory, not HDF5 (truncated or another format), missing key
            (listing those present), wrong dtype, wrong shape, m = 0, x and y
            of different m, labels outside 0..5, list_classes not [0..5].
    """
    _check_which(which)
    path = Path(path)
    if _stat_data_file(path).st_size == 0:
        raise DataError(f"{path}: is empty (0 bytes), expected an HDF5 file")
    x_key, y_key = f"{which}_set_x", f"{which}_set_y"
    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        raise DataError(f"{path}: not a readable HDF5 file (truncated or another format): {_one_line(error)}") from None
    with h5:
        x_set = _dataset(h5, path, x_key)
        y_set = _dataset(h5, path, y_key)
        classes_set = _dataset(h5, path, "list_classes")
        # Dtypes and shapes first, from the metadata: nothing big is read for a wrong file.
        if x_set.dtype != np.uint8:
            raise DataError(f"{path}: {x_key} has dtype {x_set.dtype}, expected uint8")
        for key, dataset in ((y_key, y_set), ("list_classes", classes_set)):
            if dataset.dtype.kind not in "iu":
                raise DataError(f"{path}: {key} has dtype {dataset.dtype}, expected an integer type (int64)")
        if len(x_set.shape) != 4 or x_set.shape[1:] != _IMAGE_SHAPE:
            raise DataError(f"{path}: {x_key} has shape {x_set.shape}, expected (m, 64, 64, 3)")
        if len(y_set.shape) != 1:
            raise DataError(f"{path}: {y_key} has shape {y_set.shape}, expected (m,)")
        if classes_set.shape != (_N_CLASSES,):
            raise DataError(f"{path}: list_classes has shape {classes_set.shape}, expected (6,)")
        m = x_set.shape[0]
        if m == 0:
            raise DataError(f"{path}: {x_key} holds no images (shape {x_set.shape})")
        if y_set.shape[0] != m:
            raise DataError(f"{path}: {x_key} has {m} images but {y_key} has {y_set.shape[0]} labels")
        try:
            x = np.asarray(x_set[()])
            y = np.asarray(y_set[()]).astype(np.int64)
            classes = np.asarray(classes_set[()]).astype(np.int64)
        except (OSError, ValueError, RuntimeError) as error:
            raise DataError(f"{path}: cannot read the data (damaged file?): {_one_line(error)}") from None
    outside = (y < 0) | (y >= _N_CLASSES)
    if outside.any():
        values = ", ".join(str(v) for v in np.unique(y[outside])[:5])
        first = int(np.argmax(outside))
        raise DataError(f"{path}: {y_key} has labels outside 0..5: {values} (first at index {first})")
    if not np.array_equal(classes, np.arange(_N_CLASSES)):
        raise DataError(f"{path}: list_classes is {classes.tolist()}, expected [0, 1, 2, 3, 4, 5]")
    return x, y, classes


def _dataset(h5, path, key):
    if key not in h5:
        present = ", ".join(sorted(h5.keys())) or "none"
        raise DataError(f"{path}: missing key '{key}' (the file has keys: {present})")
    item = h5[key]
    if not isinstance(item, h5py.Dataset):
        raise DataError(f"{path}: '{key}' is a group, expected a dataset")
    return item


def _one_line(error):
    return " ".join(str(error).split())


# ---------------------------------------------------------------------------
# Download


def mirror_url(base, filename):
    """The URL of `filename` on the mirror `base`: `base` (trailing "/" dropped) + "/" + `filename`."""
    return base.rstrip("/") + "/" + filename


def mirrors_from_environment():
    """The base URLs in TFSIGNS_MIRRORS (space-separated), or `None` when it is unset or blank."""
    value = os.environ.get(MIRRORS_ENV, "").split()
    return tuple(value) or None


def fetch(dest, mirrors=None, timeout=DEFAULT_TIMEOUT, log=print):
    """Download the official `train_signs.h5` and `test_signs.h5` into `dest`, verified.

    For each file, the mirrors are tried in turn. A download goes to a
    temporary file in `dest` (`.<name>.*.part`), its fingerprint is checked,
    and only then is it moved into place with `os.replace`; on any failure
    (HTTP error, unreachable, timeout, broken transfer, wrong fingerprint)
    the temporary file is deleted and the next mirror tried. A file already
    in `dest` with the official fingerprint is kept, not downloaded again; a
    file there that is not the official one is replaced only by a verified
    download.

    Args:
        dest: folder to download into (created if missing).
        mirrors: base URLs, see `mirror_url`. Defaults to TFSIGNS_MIRRORS if
            set, else `MIRRORS`.
        timeout: seconds to wait for a connection or data. Defaults to `30`.
        log: called with one line per attempt. Defaults to `print`.

    Returns:
        `[train_path, test_path]`, both verified official.

    Raises:
        FetchError: a file could not be obtained verified; the message names
            it and what each mirror gave. A file that did verify stays in `dest`.
    """
    dest = Path(dest)
    if mirrors is None:
        mirrors = mirrors_from_environment()
        if mirrors is not None:
            log(f"mirrors from {MIRRORS_ENV}: {' '.join(mirrors)}")
        else:
            mirrors = MIRRORS
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FetchError(f"{dest}: cannot create the download folder ({error.strerror or error})") from None

    paths, failures = [], []
    for which, filename in FILENAMES.items():
        target = dest / filename
        if target.is_dir():
            failures.append(f"{target} is a directory")
            continue
        if target.is_file():
            if file_status(target, which) == OFFICIAL:
                log(f"{target}: already there, official (verified); not downloaded again")
                paths.append(target)
                continue
            log(f"{target}: present but not the official file; looking for the official one")
        attempts = []
        for base in mirrors:
            url = mirror_url(base, filename)
            problem = _download_verified(url, target, which, timeout)
            log(f"{filename} from {url}: {problem or 'official (verified)'}")
            if problem is None:
                paths.append(target)
                break
            attempts.append(f"{url}: {problem}")
        else:
            tried = "; ".join(attempts) if attempts else "no mirrors given"
            failures.append(f"{filename} ({tried})")
    if failures:
        raise FetchError(f"could not obtain a verified file in {dest}: " + "; ".join(failures))
    return paths


def _download_verified(url, target, which, timeout):
    """Download `url` to a temp file beside `target`; move it into place if official.

    Returns `None` on success, else one phrase saying what went wrong. The
    temporary file never survives.
    """
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            problem = _download(url, out, timeout)
        if problem is not None:
            return problem
        size = temp.stat().st_size
        got = _hash_file(temp, which, size)
        expected = _EXPECTED[which]
        if got != expected:
            kind = "sha256" if which == "test" else "git blob id"
            return f"wrong fingerprint ({size} bytes, {kind} {got[:12]}..., expected {expected[:12]}...)"
        os.replace(temp, target)
        return None
    finally:
        temp.unlink(missing_ok=True)


def _download(url, out, timeout):
    """Copy `url` into the open file `out`; `None` on success, else what went wrong."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            size = 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                size += len(chunk)
                if size > _MAX_DOWNLOAD:
                    return f"more than {_MAX_DOWNLOAD} bytes: not a SIGNS file"
                out.write(chunk)
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} {error.reason}"
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return f"timed out after {timeout} s"
        return f"unreachable ({_one_line(error.reason)})"
    except TimeoutError:
        return f"timed out after {timeout} s"
    except http.client.HTTPException as error:
        return f"transfer broken off ({type(error).__name__})"
    except OSError as error:
        return f"failed ({_one_line(error)})"
    return None
