"""The answer keys' cache, for every assignment: signed `.npz` files in `<tfsigns cache>/graders/`.

An assignment's answer key computes its reference values once (TensorFlow,
in the grader's own process) and keeps them here as `.npz` files (no pickle),
named by `cache_path(kind, key)`: a digest of what they depend on (the
assignment puts its own version and reference source's digest in `key`; the
tfsigns and TensorFlow versions are added here).

The cache is out of a submission's reach: the child process has its own
empty HOME and cache folders and, under Landlock, cannot open this folder at
all (`graders.sandbox`, `graders.confine`); each file is signed (HMAC-SHA256,
with a secret kept beside it) and a file that does not verify is recomputed,
never used (`read`). After a submission ran unconfined, `reseal` changes the
secret and re-signs what still verifies.
"""
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
import threading
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

import tfsigns

TAG = "__hmac_sha256__"
_KEY_FILE = "key"


def cache_folder():
    from tfsigns.data import cache_dir

    return Path(cache_dir()) / "graders"


def _tensorflow_version():
    for name in ("tensorflow-cpu", "tensorflow", "tensorflow-macos", "tf-nightly"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def cache_path(kind, key):
    """The cache file of `kind` (its name's prefix, e.g. "model") for `key` (a JSON-able dict of what the values depend on)."""
    key = dict(key, kind=kind, tfsigns=tfsigns.__version__, tensorflow=_tensorflow_version())
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    return cache_folder() / f"{kind}-{digest}.npz"


def _cache_secret():
    """The secret that signs this cache folder's files (32 random bytes in `<folder>/key`, mode 0600), or None.

    The child process that runs a submission can neither read nor write the
    cache folder (Landlock, `graders.confine`); the signature is the second
    line of defence where the kernel has no Landlock: a file whose signature
    does not verify is never used.
    """
    folder = cache_folder()
    path = folder / _KEY_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            handle, temporary = tempfile.mkstemp(prefix=".tmp-key-", dir=folder)  # created 0600
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(secrets.token_bytes(32))
                os.link(temporary, path)  # atomic: of two processes, one key wins
            except FileExistsError:
                pass
            finally:
                Path(temporary).unlink(missing_ok=True)
        secret = path.read_bytes()
    except OSError:
        return None
    return secret if len(secret) == 32 else None


def signature(secret, arrays):
    """HMAC-SHA256 over every array's name, dtype, shape and bytes, in name order."""
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        mac.update(json.dumps([name, array.dtype.str, list(array.shape)]).encode())
        mac.update(array.tobytes())
    return mac.digest()


def read(path, names):
    """(arrays, problem): the arrays `names` from a signed cache file, or (None, why not).

    `problem` is "" when the file is simply not there (or unreadable: a cache
    only saves time), and a sentence when it is there but its signature does
    not verify: the caller recomputes and says so.
    """
    secret = _cache_secret()
    if secret is None or not path.is_file():
        return None, ""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None, ""
    tag = arrays.pop(TAG, None)
    if tag is None or not hmac.compare_digest(np.asarray(tag, dtype=np.uint8).tobytes(), signature(secret, arrays)):
        return None, f"the cached reference values {path.name} failed verification (changed since the grader wrote them); recomputed"
    if not all(name in arrays for name in names):
        return None, ""
    return {name: arrays[name] for name in names}, ""


def write(path, arrays):
    """Write signed and atomically; a cache that cannot be written only costs the next run time."""
    secret = _cache_secret()
    if secret is None:
        return
    signed = dict(arrays)
    signed[TAG] = np.frombuffer(signature(secret, arrays), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, **signed)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


class CachedAnswerKey:
    """What every assignment's answer key shares: reference values read from this cache (or computed and
    cached) in a background thread, held in memory once verified.

    `start()` begins; grading waits (`wait()`) before any of a submission's
    code runs, so what a submission might do to the cache folder can never
    reach the values it is graded against. A subclass defines `_prepare()`,
    which loads its values through `_cached(path, names, compute)`.
    """

    thread_name = "answer-key"

    def __init__(self):
        self._error = None
        self._thread = None
        self._held = {}  # {cache path: arrays}: what this key read or computed, verified
        self.notes = []  # for the report: a cache file that failed verification

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def wait(self):
        """Block until the reference values are ready; re-raise what failed."""
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def join(self):
        """Block until the background work is over, whatever its outcome."""
        if self._thread is not None:
            self._thread.join()

    def finished(self):
        """Whether loading is over (successfully or not)."""
        return self._thread is not None and not self._thread.is_alive()

    def held(self):
        """{cache path: arrays} of the verified values this key holds in memory (what `reseal` keeps)."""
        return dict(self._held)

    def _load(self):
        try:
            self._prepare()
        except BaseException as error:  # reported by wait() in the grading thread
            self._error = error

    def _prepare(self):
        raise NotImplementedError

    def _cached(self, path, names, compute):
        """The signed cache file's arrays, else `compute()`'s (then cached). Held in memory from here on."""
        arrays, problem = read(path, names)
        if problem:
            self.notes.append(problem)
        if arrays is None:
            arrays = compute()
            write(path, arrays)
        self._held[path] = arrays
        return arrays


def reseal(answer_keys):
    """After a submission ran with nothing between it and the cache: a new secret, and the cache no emptier.

    Only where the sandbox was off (GRADERS_CONFINE=0, or a fallback whose
    Landlock could not be applied) could a submission have read the secret
    and signed files of its own; a submission that merely failed to load
    causes no reseal. Once its process is gone, the values the given answer
    keys hold in memory (read and verified before the submission started)
    are written back under a new secret, and every other cached file that
    still verifies under the old secret is re-signed under the new one: only
    a file that no longer verifies (it was never usable) is dropped. The
    embedded default data (unsigned, in the same tfsigns cache) is removed:
    tfsigns generates it again, the same bytes, when it is next needed.

    Args:
        answer_keys: answer keys (any assignment's) whose loading has finished: their `held()`.
    """
    from tfsigns.data import cache_dir, embedded_default_name

    shutil.rmtree(cache_dir() / embedded_default_name(), ignore_errors=True)
    folder = cache_folder()
    old_secret = _cache_secret()
    if old_secret is None:
        return
    kept = {}
    try:
        paths = [path for path in folder.iterdir() if path.suffix == ".npz" and not path.name.startswith(".")]
    except OSError:
        return
    for path in paths:
        arrays = _verified_arrays(path, old_secret)
        if arrays is not None:
            kept[path] = arrays
    for key in answer_keys:
        kept.update(key.held())  # what was verified before the submission ran wins
    try:
        handle, temporary = tempfile.mkstemp(prefix=".tmp-key-", dir=folder)  # created 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(32))
        os.replace(temporary, folder / _KEY_FILE)
    except OSError:
        return
    for path, arrays in kept.items():
        write(path, arrays)


def _verified_arrays(path, secret):
    """Every array of a signed cache file whose signature verifies under `secret`, else None."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None
    tag = arrays.pop(TAG, None)
    if tag is None or not hmac.compare_digest(np.asarray(tag, dtype=np.uint8).tobytes(), signature(secret, arrays)):
        return None
    return arrays
