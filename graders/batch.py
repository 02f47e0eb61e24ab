"""`python -m graders batch DIR --csv FILE [--jobs N]`: grade every .py/.ipynb in a folder.

Each submission runs in its own child process (its crash or timeout is its
own result); up to N are graded at once. The answer keys (both editions under
`--edition auto`) are loaded, or computed, and verified once, before the first
submission runs, and shared. The gradebook CSV has one row per file: score,
max, the edition it was graded as, and the points of each graded function.
"""
import argparse
import csv
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from graders import cli, report
from graders import edition as editions


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
        return _error(f"{args.directory}: not a directory")
    problem = cli.check_output_file(args.csv, "--csv")
    if problem:
        return _error(problem)
    if args.reports and not Path(args.reports).is_dir():
        return _error(f"--reports: {args.reports} is not a directory")
    files = sorted(path for path in directory.iterdir() if path.is_file() and path.suffix.lower() in cli.SUFFIXES)
    if not files:
        return _error(f"{args.directory}: no .py or .ipynb files")

    from graders.grading import GradingError, grade, prepare

    options = cli.options_from(args)
    try:
        prepared = prepare(options)
        prepared.wait(editions.EDITIONS if options.edition == editions.AUTO else (options.edition,))
    except GradingError as error:
        return _error(str(error))

    def one(path):
        results = grade(path, options, prepared)
        print(f"{path.name}: {_points(results)}", flush=True)
        if args.reports:
            Path(args.reports, path.name + ".txt").write_text(results.summary(), encoding="utf-8")
            report.write_json(results, Path(args.reports, path.name + ".json"))
        return results

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            all_results = list(pool.map(one, files))
    finally:
        prepared.join()
    try:
        write_gradebook(all_results, args.csv)
    except OSError as error:
        return _error(f"--csv: cannot write {args.csv} ({error.strerror or error})")
    print(f"gradebook: {args.csv} ({len(all_results)} submissions)")
    unconfined = next((results for results in all_results if results.unconfined_warning()), None)
    if unconfined is not None:
        print(f"warning: {unconfined.unconfined_warning()}", file=sys.stderr)
    return max(results.exit_code() for results in all_results)


def write_gradebook(all_results, path):
    """One row per submission: file, score, max, graded, edition, per-function points, error."""
    functions = []
    for results in all_results:
        for function in results.points_by_function():
            if function not in functions:
                functions.append(function)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=directory)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
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
    print(f"error: {message}", file=sys.stderr)
    return 2
