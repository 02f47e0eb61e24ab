"""`python -m graders`: grade one submission (or the bundled reference); `batch` grades a folder; `gradescope` builds Gradescope's autograder zip.

Exit codes: 0 every check passed; 1 graded, something failed (a submission
that does not load included); 2 could not grade (bad arguments, a missing
file, missing data, an internal error). Bad input gives one `error:` line on
stderr, never a traceback.
"""
import argparse
import sys
from pathlib import Path

from graders import assignments, report
from graders.edition import AUTO
from graders.results import Results
from graders.sandbox import DEFAULT_BUDGET, DEFAULT_MEMORY_MB
from tfsigns.commands import positive_float, positive_int

SUFFIXES = (".py", ".ipynb")


def add_grading_arguments(parser):
    """The options `grade` and `batch` share."""
    parser.add_argument(
        "--assignment", default=AUTO, metavar="auto|NAME",
        help=f"the assignment: auto recognises it in each submission (the graded functions it defines, its marker "
        f"cells and texts), a name forces one (of: {', '.join(assignments.names())}; python -m graders --list-assignments lists them) (default: auto)",
    )
    parser.add_argument(
        "--edition", default=AUTO, metavar="auto|EDITION",
        help="the notebook edition's conventions: auto reads them from each submission (tf1_tutorial: its epoch_cost "
        "line, else its 'should be' text), an edition of the assignment forces one (default: auto)",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="folder with train_signs.h5 and test_signs.h5 for model() (default: TFSIGNS_DATA, ./data, ./datasets, else the embedded default)")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="time limit of model(); the other functions get min(SECONDS, 30) (default: 120 for model(), 30 for the others)")
    parser.add_argument("--only", type=function_list, metavar="F1,F2", help=f"grade only these functions (of: {', '.join(graded_functions())})")
    parser.add_argument("--memory-mb", type=positive_int, default=DEFAULT_MEMORY_MB, metavar="MB", help=f"memory a submission may use beyond TensorFlow's own (default: {DEFAULT_MEMORY_MB})")
    parser.add_argument("--budget", type=seconds, default=DEFAULT_BUDGET, metavar="SECONDS", help=f"wall time for a whole submission, loading included; checks still to run after it fail as timed out (default: {DEFAULT_BUDGET:g})")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m graders",
        description="Grade a 'TensorFlow Tutorial' submission (.py or .ipynb; TF1-era code runs unmodified). "
        "Without SUBMISSION, grade tfsigns' own reference. 'python -m graders batch DIR --csv FILE' grades a folder; "
        "'python -m graders gradescope --out autograder.zip' builds a Gradescope autograder.",
    )
    parser.add_argument("submission", nargs="?", metavar="SUBMISSION", help="a .py file or .ipynb notebook")
    parser.add_argument("--list-assignments", action="store_true", help="list the assignments the grader knows, with their editions, and exit")
    add_grading_arguments(parser)
    parser.add_argument("--json", metavar="FILE", help="also write Gradescope's results.json here")
    parser.add_argument("--coursera-json", metavar="FILE", help='also write Coursera\'s custom-grader answer here ({"fractionalScore": ..., "feedback": the text report})')
    return parser


def seconds(text):
    return positive_float(text, what="a positive number of seconds")


def graded_functions():
    """Every assignment's graded functions, in registry and table order."""
    return tuple(dict.fromkeys(name for assignment in assignments.registry().values() for name in assignment.graded_functions))


def function_list(text):
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in graded_functions()]
    if unknown:
        raise argparse.ArgumentTypeError(f"not a graded function: {', '.join(unknown)} (graded: {', '.join(graded_functions())})")
    if not names:
        raise argparse.ArgumentTypeError("expected graded function names separated by commas")
    return names


def options_from(args):
    from graders.grading import Options

    return Options(
        assignment=args.assignment, edition=args.edition, data_dir=args.data_dir, timeout=args.timeout,
        only=args.only, memory_mb=args.memory_mb, budget=args.budget,
    )


def options_problem(args):
    """Why --assignment / --edition / --only cannot be graded together (one line), or ""."""
    from graders.grading import scope

    try:
        scope(options_from(args))
    except ValueError as error:
        return str(error)
    return ""


def check_output_file(path, flag):
    """An error message when `path` cannot be written, else ""."""
    if not path:
        return ""
    target = Path(path)
    if target.is_dir():
        return f"{flag}: {path} is a directory, expected a file name"
    if not target.resolve().parent.is_dir():
        return f"{flag}: folder {target.resolve().parent} does not exist (received {path!r})"
    return ""


def submission_problem(path):
    """Why `path` cannot be a submission, or ""."""
    target = Path(path)
    if not target.exists():
        return f"{path}: no such file"
    if target.is_dir():
        return f"{path}: is a directory (to grade a folder: python -m graders batch {path} --csv FILE)"
    if target.suffix.lower() not in SUFFIXES:
        return f"{path}: expected a .py file or an .ipynb notebook"
    return ""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "batch":
        from graders import batch

        return batch.main(argv[1:])
    if argv and argv[0] == "gradescope":
        from graders import gradescope

        return gradescope.main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.list_assignments:
        print("\n".join(assignments.listing()))
        return 0
    problem = options_problem(args)
    if problem:
        return _error(problem)
    for path, flag in ((args.json, "--json"), (args.coursera_json, "--coursera-json")):
        problem = check_output_file(path, flag)
        if problem:
            return _error(problem)
    problem = submission_problem(args.submission) if args.submission else ""
    if problem:
        from graders.grading import initial_edition

        results = Results(Path(args.submission).name, initial_edition(options_from(args)), error=problem)
    else:
        from graders.grading import grade

        try:
            results = grade(args.submission, options_from(args))
        except KeyboardInterrupt:
            return _error("interrupted")
    report.write_text(results)
    if results.unconfined_warning():
        _warn(results.unconfined_warning())
    for path, flag, write in ((args.json, "--json", report.write_json), (args.coursera_json, "--coursera-json", report.write_coursera_json)):
        if path:
            try:
                write(results, path)
            except OSError as error:
                return _error(f"{flag}: cannot write {path} ({error.strerror or error})")
    if results.error:
        _error(results.error)
    return results.exit_code()


def _warn(message):
    sys.stdout.flush()
    print(f"warning: {message}", file=sys.stderr)


def _error(message):
    sys.stdout.flush()
    print(f"error: {message}", file=sys.stderr)
    return 2
