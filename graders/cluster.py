"""`python -m graders batch DIR --csv FILE --scheduler tcp://HOST:8786`: each submission a task on a Dask cluster.

The batch (the client) sends every submission's bytes, with the grading
options, as one task to the scheduler; a worker (which has tfsigns installed:
`pip install 'tfsigns[cluster]'`) writes them to a private temporary folder
and grades them there with `graders.grading.grade`, in the same sandbox as a
local batch, and sends the `Results` back. The client writes each one into the
incremental gradebook as it arrives (`distributed.as_completed`), so the CSV
is the same as a local run's apart from the `seconds` column and the order of
the rows (the order the tasks finish).

A worker that dies mid-task is Dask's to handle: the scheduler gives the
task to another worker (a task whose workers keep dying is given up after
`distributed.scheduler.allowed-failures`, and gets a "could not grade" row).
Either way each future finishes once, so each submission has one row.

Each worker process prepares the answer keys once, on its first task, and
keeps them for the next ones (`--data-dir` must name a folder on the workers).
"""
import dataclasses
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

from graders.results import Results

RETRIES = 1  # a task that raises is run once more (grade() returns its own failures: this is for the unexpected)
CONNECT_TIMEOUT = 30  # seconds to reach the scheduler

_prepared = {}  # on a worker: {Options: Prepared}, made on the first task that needs it
_prepared_lock = threading.Lock()


class ClusterError(Exception):
    """The cluster cannot be used: one line for the user."""


def connect(address, timeout=CONNECT_TIMEOUT):
    """A `distributed.Client` of the scheduler at `address`.

    Raises:
        ClusterError: distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs the distributed package: pip install 'tfsigns[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ClusterError(f"--scheduler: cannot connect to {address} ({type(error).__name__}: {error})") from None


def grade_on(client, entries, options):
    """(entry, results, seconds) of each of `entries` (batch `Entry`s), as its task finishes.

    Closing the generator (Ctrl-C in the batch) cancels the tasks still to run.
    """
    from distributed import as_completed

    from graders.batch import printable

    payload = dataclasses.asdict(options)
    futures = {}
    try:
        for entry in entries:
            key = f"grade-{printable(entry.name)}-{entry.digest[:12]}-{uuid.uuid4().hex[:8]}"
            future = client.submit(grade_remote, entry.name, entry.path.read_bytes(), payload, key=key, pure=False, retries=RETRIES)
            futures[future] = entry
        for future in as_completed(futures, loop=client.loop):
            entry = futures[future]
            try:
                results, seconds = future.result()
            except Exception as error:  # noqa: BLE001 - KilledWorker, a lost connection, a worker without tfsigns...
                from graders.grading import initial_edition

                edition = initial_edition(options)
                results, seconds = Results(entry.name, edition, error=f"the cluster could not grade it ({type(error).__name__}: {error})"), 0.0
            yield entry, results, seconds
    finally:
        if futures:
            try:
                client.cancel(list(futures))
            except Exception:  # noqa: BLE001 - the scheduler gone: nothing left to cancel there
                pass


def grade_remote(name, content, options):
    """On a worker: grade the submission `name` made of the bytes `content`; (Results, seconds grading took).

    `options` is a `graders.grading.Options` as a dict.
    """
    from graders.grading import GradingError, Options, grade, initial_edition

    options = Options(**options)
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a file name: {name!r}")
    try:
        prepared = _prepare(options)
    except (GradingError, ValueError) as error:
        return Results(name, initial_edition(options), error=str(error)), 0.0
    folder = tempfile.mkdtemp(prefix="graders-task-")
    try:
        path = Path(folder, name)
        with open(path, "xb") as stream:
            stream.write(content)
        start = time.monotonic()
        results = grade(path, options, prepared)
        return results, time.monotonic() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _prepare(options):
    """This worker's `Prepared` for `options` (once per process); each answer key loads when a task first needs it.

    Lazily: a worker that only ever sees TF1 notebooks never computes a TF2 key.
    `grade()` waits for the key before the submission's child starts.
    """
    from graders.grading import prepare

    key = dataclasses.replace(options, timeout=None, memory_mb=0, budget=None)  # what the keys depend on
    with _prepared_lock:
        prepared = _prepared.get(key)
        if prepared is None:
            prepared = prepare(options, within=())
            _prepared[key] = prepared
    return prepared
