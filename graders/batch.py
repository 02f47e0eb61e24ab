"""`python -m graders batch DIR --csv FILE [--jobs N]`: grade every .py/.ipynb in a folder.

Each submission runs in its own child process (its crash or timeout is its
own result); up to N are graded at once. The answer keys (both editions under
`--edition auto`) are loaded, or computed, and verified once, before the first
submission runs, and shared. The gradebook CSV has one row per file: score,
max, the edition it was graded as, and the points of each graded function.

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
import os
import shutil
import stat
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from graders import cli, report
from graders import edition as editions

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class Entry:
    """One entry of DIR: `path` is set (the private copy to grade) or `skipped` says why not."""

    name: str
    path: Path = None
    skipped: str = ""


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m graders batch", description="Grade every .py and .ipynb file in DIR and write a gradebook.")
    parser.add_argument("directory", metavar="DIR", help="folder of submissions")
    parser.add_argument("--csv", required=True, metavar="FILE", help="gradebook to write")
    parser.add_argument("--jobs", type=cli.positive_int, default=1, metavar="N", help="submissions graded at once (default: 1)")
    parser.add_argument("--reports", metavar="FOLDER", help="also write each submission's text report and results.json there")
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
    if args.reports and not Path(args.reports).is_dir():
        return _error(f"--reports: {printable(args.reports)} is not a directory")
    copies = Path(tempfile.mkdtemp(prefix="graders-batch-"))
    try:
        return _grade_folder(args, directory, copies)
    finally:
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

    from graders.grading import GradingError, grade, prepare

    options = cli.options_from(args)
    try:
        prepared = prepare(options)
        prepared.wait(editions.EDITIONS if options.edition == editions.AUTO else (options.edition,))
    except GradingError as error:
        return _error(printable(str(error)))

    def one(entry):
        results = grade(entry.path, options, prepared)
        print(f"{printable(entry.name)}: {printable(_points(results))}", flush=True)
        if args.reports:
            Path(args.reports, entry.name + ".txt").write_text(results.summary(), encoding="utf-8", errors="surrogateescape")
            report.write_json(results, Path(args.reports, entry.name + ".json"))
        return results

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            all_results = list(pool.map(one, files))
    finally:
        prepared.join()
    try:
        write_gradebook(all_results, args.csv)
    except OSError as error:
        return _error(f"--csv: cannot write {printable(args.csv)} ({error.strerror or error})")
    print(f"gradebook: {printable(args.csv)} ({len(all_results)} submissions)")
    _print_skipped_count(skipped)
    unconfined = next((results for results in all_results if results.unconfined_warning()), None)
    if unconfined is not None:
        print(f"warning: {printable(unconfined.unconfined_warning())}", file=sys.stderr)
    return max(results.exit_code() for results in all_results)


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
        with os.fdopen(handle, "rb", closefd=False) as source, open(copy, "xb") as target:
            shutil.copyfileobj(source, target)
    except OSError as error:
        return Entry(name, skipped=f"cannot be read ({error.strerror or error})")
    finally:
        os.close(handle)
    return Entry(name, path=copy)


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


def write_gradebook(all_results, path):
    """One row per submission: file, score, max, graded, edition, per-function points, error.

    A name that is not valid UTF-8 is written as its original bytes.
    """
    functions = []
    for results in all_results:
        for function in results.points_by_function():
            if function not in functions:
                functions.append(function)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=directory)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8", errors="surrogateescape") as stream:
            writer = csv.writer(stream)
            writer.writerow(["file", "score", "max", "graded", "edition"] + functions + ["error"])
            for results in all_results:
                by_function = results.points_by_function()
                writer.writerow(
                    [results.submission, _n(results.score), _n(results.max_score), "yes" if results.graded else "no", results.edition]
                    + [_n(by_function[f][0]) if f in by_function else "" for f in functions]
                    + [results.error]
                )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
