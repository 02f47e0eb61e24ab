"""Golden reports that hold on any CPU: exact text, training-run digits at the grader's tolerance.

TensorFlow's CPU kernels (oneDNN picks instruction sets per CPU and sums in
another order) round the last float32 digit differently from one x86-64 to
another. A report quotes two kinds of numbers:

- numbers that are the same everywhere: the published values of
  `tfsigns/expected.py`, tolerances, points, scores, counts, line numbers,
  accuracies as k/m;
- numbers a training or forward run computed on this machine: a submission's
  printed cost, the value it returned (`got ...`), the reference's own value
  (`want ...` where the value is not a published one).

A golden file keeps the first kind as text and writes the second kind as
`~NUMBER`. `differences(report, golden)` asks for every line to be equal, except
that a `~NUMBER` accepts any number within the tolerance the grader used for
that check: the `(tolerance rtol R, atol A)` printed on the line, else the
check's own tolerance from `graders.checks` (the published epoch-cost
tolerance for printed costs). `mark(report, previous)` writes a golden file
from a report (UPDATE_GOLDEN=1), keeping the marks of the previous golden file.
"""
import re

import numpy as np

from graders.assignments.tf1_tutorial import checks as graded_checks
from tfsigns import expected as E

NUMBER = r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
_FLOAT = re.compile(r"-?(?:\d+\.\d+)(?:[eE][-+]?\d+)?")
_MARKED = re.compile(r"~(" + NUMBER + r")")
# A clause that quotes computed numbers: "got X", "got [[X], ...]", "printed X", "want X".
_CLAUSE = re.compile(r"\b(got|want|printed) (\[[^A-Za-z]*\]|" + NUMBER + r")")
_TOLERANCE = re.compile(r"\(tolerance (?:rtol (" + NUMBER + r"), )?atol (" + NUMBER + r")\)")
_CHECK_LINE = re.compile(r"^(PASS|FAIL)  (.+?) +\d+(?:\.\d+)?/\d+(?:\.\d+)?$")
_HEADER = re.compile(r"^Grading .* \(edition (\w+)\)$")


def _published_values():
    values = []

    def collect(value):
        if isinstance(value, E.Expected):
            collect(value.value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (float, int, np.ndarray)) and not isinstance(value, bool):
            values.extend(np.asarray(value, dtype=np.float64).ravel().tolist())

    for name in dir(E):
        if name.isupper():
            collect(getattr(E, name))
    return np.array(sorted(set(values)))


PUBLISHED = _published_values()


def is_published(number):
    """True when `number` (as printed, 6 to 8 significant digits) is a value of tfsigns/expected.py."""
    return bool(np.any(np.abs(PUBLISHED - number) <= 1e-7 * max(1.0, abs(number))))


def check_tolerance(check_name, edition):
    """(rtol, atol) the grader uses for the check named `check_name`, or None for exact ones."""
    check = next((c for c in graded_checks.CHECKS if c.name == check_name), None)
    if check is None:
        return None
    if isinstance(check.tolerance, tuple):
        return check.tolerance
    if check.compare == "printed_cost":
        return 0.0, E.EPOCH_COSTS[edition][int(check.pick)].atol
    return None


def _line_tolerance(line, block_tolerance):
    found = _TOLERANCE.search(line)
    if found:
        return float(found.group(1) or 0.0), float(found.group(2))
    return block_tolerance


def _lines_in_context(text):
    """(line, tolerance of the check it belongs to) for each line of a report or golden file."""
    edition, tolerance = "v3", None
    for line in text.split("\n"):
        header = _HEADER.match(line)
        if header:
            edition = header.group(1) if header.group(1) in E.EPOCH_COSTS else "v3"
        check = _CHECK_LINE.match(line)
        if check:
            tolerance = check_tolerance(check.group(2), edition)
        elif not line.startswith("      "):
            tolerance = None
        yield line, tolerance


def _line_pattern(golden_line):
    """A regex for `golden_line`: literal text, a capture group per `~NUMBER`."""
    parts, wants, position = [], [], 0
    for found in _MARKED.finditer(golden_line):
        parts.append(re.escape(golden_line[position:found.start()]))
        parts.append("(" + NUMBER + ")")
        wants.append(float(found.group(1)))
        position = found.end()
    parts.append(re.escape(golden_line[position:]))
    return re.compile("".join(parts)), wants


def differences(report, golden):
    """The lines where `report` departs from `golden` (empty when it matches), one message each."""
    report_lines = report.split("\n")
    golden_lines = list(_lines_in_context(golden))
    problems = []
    if len(report_lines) != len(golden_lines):
        problems.append(f"{len(report_lines)} lines, golden file has {len(golden_lines)}")
    for number, (line, (golden_line, block_tolerance)) in enumerate(zip(report_lines, golden_lines), start=1):
        pattern, wants = _line_pattern(golden_line)
        found = pattern.fullmatch(line)
        if not found:
            problems.append(f"line {number}: got {line!r}, golden {golden_line!r}")
            continue
        if not wants:
            continue
        tolerance = _line_tolerance(golden_line, block_tolerance)
        if tolerance is None:
            problems.append(f"line {number}: ~numbers in {golden_line!r} belong to no check with a tolerance")
            continue
        rtol, atol = tolerance
        for got, want in zip(found.groups(), wants):
            if not abs(float(got) - want) <= atol + rtol * abs(want):
                problems.append(f"line {number}: {got} is not within rtol {rtol:g}, atol {atol:g} of {want} ({golden_line!r})")
    return problems


def mark(report, previous=""):
    """A golden file for `report`: training-run numbers written as `~NUMBER`.

    A line that fits a marked line of `previous` (its golden file before)
    keeps that line's marks; another line marks the numbers of its `got`
    and `printed` clauses, and of its `want` clauses unless the value is a
    published one, when the line belongs to a check with a tolerance.
    """
    olds = [line for line in previous.split("\n") if _MARKED.search(line)]
    out = []
    for line, tolerance in _lines_in_context(report):
        old = next((old for old in olds if _line_pattern(old)[0].fullmatch(line)), None)
        if old is not None:
            out.append(_remark(line, old))
        elif _line_tolerance(line, tolerance) is not None:
            out.append(_CLAUSE.sub(_mark_clause, line))
        else:
            out.append(line)
    return "\n".join(out)


def _remark(line, old):
    """`line` with `~` before the numbers at the places `old` marked them."""
    pattern, _ = _line_pattern(old)
    found = pattern.fullmatch(line)
    pieces, position = [], 0
    for index in range(1, len(found.groups()) + 1):
        pieces.append(line[position:found.start(index)] + "~" + found.group(index))
        position = found.end(index)
    return "".join(pieces) + line[position:]


def _mark_clause(found):
    word, numbers = found.group(1), found.group(2)
    values = [float(text) for text in _FLOAT.findall(numbers)]
    if not values or (word == "want" and all(is_published(value) for value in values)):
        return found.group(0)
    return word + " " + _FLOAT.sub(lambda number: "~" + number.group(0), numbers)
