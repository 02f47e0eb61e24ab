"""`python -m graders batch DIR --csv FILE [--jobs N]`: grade every .py/.ipynb in a folder.

Each submission runs in its own child process (its crash or timeout is its
own result); up to N are graded at once. The answer keys (both editions under
`--edition auto`) are loaded, or computed, and verified once, before the first
submission runs, and shared. The gradebook CSV has one row per file: score,
max, the edition it was graded as, the points of each graded function, the
SHA-256 of the bytes graded and the seconds grading took.

The gradebook is written as the batch goes: opened once, its header first,
then each submission's row as soon as it finishes (in the order they finish),
flushed and fsync'ed, so a crash, a kill or Ctrl-C loses no finished row.
Ctrl-C (or SIGTERM) stops the batch: `interrupted: N of M graded` on stderr,
exit 2. On a terminal (stderr) a progress bar (tqdm) shows the counts and
the time left; piped, the output is the plain `NAME: SCORE` lines alone.
Exit code: the highest of the submissions' (0 full marks, 1 graded with
something failed, 2 could not grade), and 2 when the batch did not finish.

`--scheduler tcp://HOST:PORT` grades each submission as a task on a Dask
distributed cluster instead (`graders.cluster`), into the same gradebook.

`--resume` reads FILE first (when it exists) and grades only the submissions
that have no row with their name and SHA-256 (`resumed: N already graded`);
the new rows are appended under the same header (a different header, as
another `--only` gives, is one error line, exit 2). A last row cut short by a
crash is dropped and graded again. The exit code counts the resumed rows too.

DIR's contents are treated as hostile. Every entry is accounted for: a regular
.py or .ipynb file gets a gradebook row, anything else a `skipped NAME: why`
line on stdout (in name order, before grading starts; a `skipped: N entries`
line follows the gradebook line). Each entry is judged once, from its
`lstat`: a directory, a FIFO, a socket or a device is never opened, and a
symlink is skipped, never followed, wherever it leads: out of DIR, nowhere,
round in a loop, or to a file inside DIR (a submission lying directly in DIR
is graded under its own name, once; the link adds no second row). A regular
file is opened without following links and without blocking, checked to be
the very file judged, and copied into a private folder before grading
starts; what is graded is that copy, under the entry's name, so nothing done
to DIR afterwards changes or stalls the batch. (A hard link is a regular
file like any other: nothing tells it from the original.)

Every line printed escapes a name's newlines, control characters, other
unprintable characters and backslashes (`printable`), so one entry always
reads as one line; the CSV and the reports keep the real name.
"""
import argparse
import csv
import errno
import hashlib
import io
import os
import queue
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from graders import cli, report
from graders.results import Results

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class Entry:
    """One entry of DIR: `path` is set (the private copy to grade, `digest` its SHA-256) or `skipped` says why not."""

    name: str
    path: Path = None
    skipped: str = ""
    digest: str = ""


class Interrupted(Exception):
    """SIGTERM: handled like Ctrl-C."""


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m graders batch", description="Grade every .py and .ipynb file in DIR and write a gradebook.")
    parser.add_argument("directory", metavar="DIR", help="folder of submissions")
    parser.add_argument("--csv", required=True, metavar="FILE", help="gradebook to write, one row as each submission finishes")
    parser.add_argument("--jobs", type=cli.positive_int, default=1, metavar="N", help="submissions graded at once (default: 1)")
    parser.add_argument("--resume", action="store_true", help="keep the rows already in FILE and grade only the submissions without one (same name and SHA-256)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="grade each submission as a task on this Dask distributed scheduler (tcp://HOST:8786), whose workers "
        "have tfsigns installed (pip install 'tfsigns[cluster]'); --jobs is then the cluster's business",
    )
    parser.add_argument("--reports", metavar="FOLDER", help="also write each submission's text report and results.json there (the folder is created)")
    cli.add_grading_arguments(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        return _error(f"{printable(args.directory)}: not a directory")
    problem = cli.check_output_file(args.csv, "--csv")
    if problem:
        return _error(printable(problem))
    if args.reports:
        try:
            Path(args.reports).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _error(f"--reports: cannot create {printable(args.reports)} ({error.strerror or error})")
    copies = Path(tempfile.mkdtemp(prefix="graders-batch-"))
    restore = _terminate_as_interrupt()
    try:
        return _grade_folder(args, directory, copies)
    except (KeyboardInterrupt, Interrupted):  # before grading started (interrupted grading is _run's)
        return _error("interrupted")
    finally:
        restore()
        shutil.rmtree(copies, ignore_errors=True)


def _grade_folder(args, directory, copies):
    try:
        entries = scan(directory, copies)
    except OSError as error:
        return _error(f"{printable(args.directory)}: cannot be listed ({error.strerror or error})")
    skipped = [entry for entry in entries if entry.skipped]
    for entry in skipped:
        print(f"skipped {printable(entry.name)}: {printable(entry.skipped)}", flush=True)
    files = [entry for entry in entries if entry.path is not None]
    if not files:
        _print_skipped_count(skipped)
        return _error(f"{printable(args.directory)}: no .py or .ipynb files")

    options = cli.options_from(args)
    problem = cli.options_problem(args)
    if problem:
        return _error(printable(problem))
    from graders.grading import recognised

    try:
        in_class, class_editions = recognised(options, [entry.path for entry in files])
    except ValueError as error:
        return _error(printable(str(error)))
    columns = functions(options, in_class)
    previous = None
    if args.resume:
        try:
            previous = Previous.read(args.csv, columns)
        except ResumeError as error:
            return _error(f"--resume: {printable(error)}")
        except OSError as error:
            return _error(f"--resume: cannot read {printable(args.csv)} ({error.strerror or error})")
    done = {entry.name: previous.code(entry) for entry in files if previous is not None and previous.has(entry)}
    todo = [entry for entry in files if entry.name not in done]
    if args.resume:
        print(f"resumed: {len(done)} already graded", flush=True)
    if not todo:
        return _finish(args, files, skipped, done, [])
    if args.scheduler:
        return _grade_on_cluster(args, files, skipped, done, todo, options, columns, previous)

    from graders.grading import GradingError, prepare

    try:
        prepared = prepare(options, within={assignment.name for assignment in in_class})
    except GradingError as error:
        return _error(printable(str(error)))
    try:
        try:
            prepared.wait(class_editions)  # the keys the class needs, ready before any child starts
        except GradingError as error:
            return _error(printable(str(error)))
        try:
            gradebook = Gradebook.open(args.csv, columns, previous)
        except OSError as error:
            return _error(f"--csv: cannot write {printable(args.csv)} ({error.strerror or error})")
        with gradebook:
            return _run(args, files, skipped, done, gradebook, _grade_locally(todo, options, prepared, args.jobs))
    finally:
        prepared.join()


def _grade_on_cluster(args, files, skipped, done, todo, options, columns, previous):
    """`--scheduler`: one task per submission on the Dask cluster (`graders.cluster`), rows written as they come back."""
    from graders import cluster

    try:
        client = cluster.connect(args.scheduler)
    except cluster.ClusterError as error:
        return _error(printable(str(error)))
    try:
        try:
            gradebook = Gradebook.open(args.csv, columns, previous)
        except OSError as error:
            return _error(f"--csv: cannot write {printable(args.csv)} ({error.strerror or error})")
        with gradebook:
            return _run(args, files, skipped, done, gradebook, cluster.grade_on(client, todo, options))
    finally:
        client.close()


def _run(args, files, skipped, done, gradebook, finished):
    """Write each (entry, results, seconds) of `finished` as it comes: reports, row, line; then the summary lines.

    `done`: {name: exit code} of the submissions resumed from the gradebook.
    """
    all_results = []
    progress = _Progress(len(files) - len(done))
    try:
        for entry, results, seconds in finished:
            if args.reports:
                Path(args.reports, entry.name + ".txt").write_text(results.summary(), encoding="utf-8", errors="surrogateescape")
                report.write_json(results, Path(args.reports, entry.name + ".json"))
            gradebook.write(entry, results, seconds)
            all_results.append(results)
            progress.line(f"{printable(entry.name)}: {printable(_points(results))}")
    except (KeyboardInterrupt, Interrupted):
        progress.close()
        sys.stdout.flush()
        print(f"interrupted: {len(done) + len(all_results)} of {len(files)} graded", file=sys.stderr, flush=True)
        return 2
    except OSError as error:
        progress.close()
        return _error(f"cannot write the gradebook or a report ({printable(error.filename or '')}: {error.strerror or error})")
    finally:
        progress.close()
        finished.close()
    return _finish(args, files, skipped, done, all_results)


def _finish(args, files, skipped, done, all_results):
    """The closing lines; the exit code over every submission of the folder, resumed ones included."""
    print(f"gradebook: {printable(args.csv)} ({len(done) + len(all_results)} submissions)")
    _print_skipped_count(skipped)
    unconfined = next((results for results in all_results if results.unconfined_warning()), None)
    if unconfined is not None:
        print(f"warning: {printable(unconfined.unconfined_warning())}", file=sys.stderr)
    return max([results.exit_code() for results in all_results] + list(done.values()))


def _grade_locally(files, options, prepared, jobs):
    """(entry, results, seconds) of each file as it finishes: in the main thread for one job, else in `jobs` threads.

    One job grades in this thread, so Ctrl-C stops the submission's child at
    once. Several run in daemon threads: an interrupted batch does not wait
    for them (bubblewrap's children die with the batch).
    """
    from graders.grading import grade

    def timed(entry):
        start = time.monotonic()
        results = grade(entry.path, options, prepared)
        return entry, results, time.monotonic() - start

    if jobs == 1:
        for entry in files:
            yield timed(entry)
        return
    todo = queue.SimpleQueue()
    for entry in files:
        todo.put(entry)
    done = queue.SimpleQueue()
    stop = threading.Event()

    def work():
        while not stop.is_set():
            try:
                entry = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put(timed(entry))
            except BaseException as error:  # noqa: BLE001 - grade() returns its own failures; this is a grader bug
                done.put((entry, _failed(entry, options, f"internal error: {type(error).__name__}: {error}"), 0.0))

    for number in range(min(jobs, len(files))):
        threading.Thread(target=work, name=f"batch-{number}", daemon=True).start()
    try:
        for _ in files:
            yield done.get()
    finally:
        stop.set()


def _failed(entry, options, error):
    """The `Results` of a submission that could not be graded."""
    from graders.grading import initial_edition

    return Results(entry.name, initial_edition(options), error=error)


def functions(options, in_class=None):
    """The gradebook's point columns: the graded functions of `options.only` (all when None), in registry and table order.

    Args:
        options: an `Options`.
        in_class: the assignments the class's files are graded as (`grading.recognised`);
            None: every assignment in scope.
    """
    from graders.grading import scope

    only = options.only
    chosen = scope(options) if in_class is None else in_class
    return list(dict.fromkeys(
        name for assignment in chosen for name in assignment.graded_functions if not only or name in only
    ))


def header(function_names):
    """The gradebook's columns."""
    return ["file", "sha256", "score", "max", "graded", "edition"] + list(function_names) + ["error", "seconds"]


class Gradebook:
    """The CSV, open once: a header, then one row per submission, flushed to disk as each is written.

    A name that is not valid UTF-8 is written as its original bytes.
    """

    def __init__(self, stream, function_names):
        self.stream = stream
        self.functions = list(function_names)
        self.writer = csv.writer(stream)

    @classmethod
    def create(cls, path, function_names):
        """A new gradebook at `path` (an existing file is replaced), its header written.

        Raises:
            OSError: it cannot be written.
        """
        stream = open(path, "w", newline="", encoding="utf-8", errors="surrogateescape")
        gradebook = cls(stream, function_names)
        try:
            gradebook._put(header(function_names))
        except BaseException:
            stream.close()
            raise
        return gradebook

    @classmethod
    def open(cls, path, function_names, previous=None):
        """`append` to what `--resume` read (`previous`), else `create`."""
        return cls.create(path, function_names) if previous is None else cls.append(path, function_names, previous)

    @classmethod
    def append(cls, path, function_names, previous):
        """The gradebook `previous` read, reopened to add rows (its incomplete last row, if any, cut off first).

        Raises:
            OSError: it cannot be written.
        """
        if previous.size == 0:
            return cls.create(path, function_names)
        stream = open(path, "r+", newline="", encoding="utf-8", errors="surrogateescape")
        try:
            stream.truncate(previous.size)
            stream.seek(0, os.SEEK_END)
        except BaseException:
            stream.close()
            raise
        return cls(stream, function_names)

    def write(self, entry, results, seconds):
        """One submission's row, on disk when this returns."""
        by_function = results.points_by_function()
        self._put(
            [entry.name, entry.digest, _n(results.score), _n(results.max_score), "yes" if results.graded else "no", results.edition]
            + [_n(by_function[f][0]) if f in by_function else "" for f in self.functions]
            + [results.error, f"{seconds:.1f}"]
        )

    def _put(self, row):
        self.writer.writerow(row)
        self.stream.flush()
        os.fsync(self.stream.fileno())

    def close(self):
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ResumeError(Exception):
    """The gradebook cannot be resumed: one line."""


class Previous:
    """What `--resume` read from an existing gradebook.

    A submission counts as graded when a row has its name and the SHA-256 of
    its bytes: a file changed since is graded again (a second row, its new
    digest), and two files with the same bytes each keep their own row.

    Attributes:
        size: bytes of the file that stay (a last row cut short by a crash is dropped).
        rows: {(file, sha256): row as a dict}.
    """

    def __init__(self, size, rows):
        self.size = size
        self.rows = rows

    @classmethod
    def read(cls, path, function_names):
        """The rows of the gradebook at `path`; none when it does not exist or is empty.

        Raises:
            ResumeError: its header is not the one this batch writes, or a row is malformed.
            OSError: it cannot be read.
        """
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            return cls(0, {})
        size = len(data)
        if not data.endswith(b"\r\n"):  # every row the csv writer completes ends so
            size = data.rfind(b"\r\n") + 2 if b"\r\n" in data else 0
        if size == 0:
            return cls(0, {})
        text = data[:size].decode("utf-8", errors="surrogateescape")
        table = list(csv.reader(io.StringIO(text, newline="")))
        wanted = header(function_names)
        if table[0] != wanted:
            raise ResumeError(
                f"{path} has the columns {','.join(table[0])}; this batch writes {','.join(wanted)} "
                "(resume with the options the gradebook was started with, or write a new --csv)"
            )
        rows = {}
        for number, row in enumerate(table[1:], start=2):
            if len(row) != len(wanted):
                raise ResumeError(f"{path}: row {number} has {len(row)} fields, the header {len(wanted)}")
            named = dict(zip(wanted, row))
            rows[named["file"], named["sha256"]] = named
        return cls(size, rows)

    def has(self, entry):
        return (entry.name, entry.digest) in self.rows

    def code(self, entry):
        """The exit code of `entry`'s row: 2 not graded, 0 full marks, else 1."""
        row = self.rows[entry.name, entry.digest]
        if row["graded"] != "yes":
            return 2
        try:
            return 0 if float(row["score"]) == float(row["max"]) else 1
        except ValueError:
            return 2


class _Progress:
    """On a terminal (stderr), a tqdm bar with counts and time left, the score lines printed above it; else plain lines."""

    def __init__(self, total):
        self.bar = None
        if total and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="grading", unit="submission", file=sys.stderr, dynamic_ncols=True)

    def line(self, text):
        if self.bar is None:
            print(text, flush=True)
            return
        self.bar.write(text, file=sys.stdout)
        sys.stdout.flush()
        self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _terminate_as_interrupt():
    """While the batch runs, SIGTERM stops it as Ctrl-C does (the rows written stay); returns what restores the handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def scan(directory, copies):
    """Every entry of `directory`, in name order, each judged once; submissions copied into `copies`.

    Raises:
        OSError: `directory` cannot be opened or listed.
    """
    real_directory = os.path.realpath(directory)
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    directory_fd = os.open(directory, flags)
    try:
        with os.scandir(directory_fd) as listing:
            names = sorted(entry.name for entry in listing)
        return [_judge(name, directory_fd, real_directory, copies) for name in names]
    finally:
        os.close(directory_fd)


def _judge(name, directory_fd, real_directory, copies):
    try:
        info = os.stat(name, dir_fd=directory_fd, follow_symlinks=False)
    except OSError as error:
        return Entry(name, skipped=f"cannot be examined ({error.strerror or error})")
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return Entry(name, skipped=_symlink_reason(os.path.join(real_directory, name), real_directory))
    if stat.S_ISDIR(mode):
        return Entry(name, skipped="a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = next((label for test, label in _KINDS if test(mode)), f"file type {stat.S_IFMT(mode):o}")
        return Entry(name, skipped=f"not a regular file ({kind})")
    if Path(name).suffix.lower() not in cli.SUFFIXES:
        return Entry(name, skipped="not a .py or .ipynb file")
    return _copy(name, info, directory_fd, copies)


def _symlink_reason(link, real_directory):
    target = os.path.realpath(link)
    if os.path.commonpath([real_directory, target]) != real_directory:
        return "a symlink that leads out of DIR"
    try:
        os.stat(target)
    except FileNotFoundError:
        return "a symlink whose target does not exist"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symlink that loops"
        return f"a symlink whose target cannot be examined ({error.strerror or error})"
    return f"a symlink (to {os.path.relpath(target, real_directory)} inside DIR; symlinks are not followed)"


def _copy(name, info, directory_fd, copies):
    """The entry's bytes copied to `copies/name`, provided it still is the regular file `info` describes."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(name, flags, dir_fd=directory_fd)
    except OSError as error:
        return Entry(name, skipped=f"cannot be opened ({error.strerror or error})")
    try:
        now = os.fstat(handle)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            return Entry(name, skipped="changed while batch was reading DIR")
        copy = copies / name
        digest = hashlib.sha256()
        with os.fdopen(handle, "rb", closefd=False) as source, open(copy, "xb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                target.write(block)
    except OSError as error:
        return Entry(name, skipped=f"cannot be read ({error.strerror or error})")
    finally:
        os.close(handle)
    return Entry(name, path=copy, digest=digest.hexdigest())


def printable(text):
    r"""`text` fit for one console line: unprintable characters and backslashes escaped as `repr` does.

    A newline, a tab, any control or other unprintable character (and a name's
    undecodable bytes, held as lone surrogates) becomes `\n`, `\t`, `\x1b`,
    `\u200b`, `\udcff`...; a backslash becomes `\\`, so two different names
    never print alike. Everything else, letters of any script included, stays
    as it is: printable("a\nb.py") is the 7 characters a\nb.py.
    """
    return "".join(character if character.isprintable() and character != "\\" else repr(character)[1:-1] for character in str(text))


def _print_skipped_count(skipped):
    if skipped:
        print(f"skipped: {len(skipped)} {'entry' if len(skipped) == 1 else 'entries'}")


def _points(results):
    if results.error:
        return f"could not grade: {results.error}"
    return f"{_n(results.score)}/{_n(results.max_score)}"


def _n(value):
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _error(message):
    sys.stdout.flush()
    print(f"error: {message}", file=sys.stderr)
    return 2
