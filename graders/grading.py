"""Grading one submission: read it, run its graded calls in the sandbox, compare, collect results.

    results = grade("alice.ipynb", Options())
    print(results.summary())

The flow: read the submission (`graders.submission`), choose its assignment
and edition (`graders.assignments`: recognised, or as asked), run its graded
calls in the child process (`graders.sandbox`), compare in this process,
which alone holds the assignment's answer key, collect one `Results`. Nothing
here names an assignment: the chosen `Assignment` gives the checks, calls,
answer key, data, its own comparisons (`evaluate`) and the report's basis.
"""
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from graders import answer_cache, assignments, compare
from graders.checks import select, tolerance
from graders.edition import AUTO
from graders.isolation import IsolationError
from graders.results import CheckResult, Results
from graders.sandbox import DEFAULT_MEMORY_MB, Limits, Outcome, Sandbox
from graders.submission import read_program
from tfsigns.errors import TfsignsError

TIMINGS_ENV = "GRADERS_TIMINGS"  # a file: one JSON line of phase times per graded submission (bench/grading.py)


@dataclass(frozen=True)
class Options:
    """How to grade.

    Attributes:
        assignment: an assignment's name (graders.assignments.names()), or
            "auto": recognised from each submission. Defaults to `"auto"`.
        edition: one of the assignment's editions (e.g. "v3" or "v3b"), or
            "auto": read from each submission. Defaults to `"auto"`.
        data_dir: data folder for model(); None: tfsigns.data's search order.
        timeout: seconds for model() (the small functions get min(timeout, 30)); None: the defaults.
        only: graded function names to grade; None: all.
        memory_mb: address space a submission may add to TensorFlow's.
        budget: seconds for a whole submission (loading and every call); None: the default.
    """

    edition: str = AUTO
    data_dir: str = None
    timeout: float = None
    only: tuple = None
    memory_mb: int = DEFAULT_MEMORY_MB
    budget: float = None
    assignment: str = AUTO


class GradingError(Exception):
    """Grading could not happen (bad data, a missing file, a bad --assignment or --edition): one line for the user."""


class Part:
    """One assignment's share of a grading run: its selected checks, its data, its answer keys (one per edition).

    Attributes:
        assignment: the `graders.assignments.base.Assignment`.
        checks: its selected rows (`options.only`), in table order; () when `only` names none of its functions.
        data: what model() is graded on (`assignment.load_data`), or None.
    """

    def __init__(self, assignment, checks, data):
        self.assignment = assignment
        self.checks = checks
        self.data = data
        self.need_functions = assignment.needs_functions(checks)
        self.keys = {}


class Prepared:
    """The parts of a grading run, one per assignment, and their answer keys, made when first asked for.

    A batch shares one `Prepared`: every submission graded as tf1_tutorial v3
    uses the same v3 key, every v3b one the same v3b key.
    """

    def __init__(self, options):
        self.options = options
        self._parts = {}
        self._lock = threading.RLock()

    def part(self, assignment):
        """The `Part` of `assignment` (its data loaded on first use).

        Raises:
            GradingError: its data for model() cannot be found or read.
        """
        with self._lock:
            part = self._parts.get(assignment.name)
            if part is None:
                checks = _selected(assignment, self.options.only)
                data = None
                if assignment.needs_data(checks):
                    try:
                        data = assignment.load_data(self.options.data_dir)
                    except TfsignsError as error:
                        raise GradingError(str(error)) from None
                part = self._parts[assignment.name] = Part(assignment, checks, data)
            return part

    def answer_key(self, assignment, edition):
        """The started answer key of `assignment`'s `edition` (reference values load in the background)."""
        with self._lock:
            part = self.part(assignment)
            key = part.keys.get(edition)
            if key is None:
                key = part.keys[edition] = assignment.answer_key(edition, part.data, part.need_functions).start()
            return key

    def wait(self, editions):
        """Load (or compute) the answer keys of `editions` now (each its assignment's, e.g. "v3"); re-raise what failed."""
        for name in editions:
            self.answer_key(_owner(self.options, name), name).wait()

    def _keys(self):
        with self._lock:
            return [key for part in self._parts.values() for key in part.keys.values()]

    def reseal(self):
        """After a submission ran unconfined: keep only the values held here in the cache (`answer_cache.reseal`)."""
        answer_cache.reseal([key for key in self._keys() if key.finished()])

    def join(self):
        """Wait until no answer key has TensorFlow work running."""
        for key in self._keys():
            key.join()


def _owner(options, edition):
    """The assignment of `edition` under `options` (the named assignment's, else the one that has it)."""
    if options.assignment != AUTO:
        return assignments.get(options.assignment)
    found = assignments.owner(edition)
    if found is None:
        raise ValueError(assignments.request_problem(AUTO, edition))
    return found


def _selected(assignment, only):
    """`assignment`'s checks of the functions in `only` it grades (all when None)."""
    if not only:
        return tuple(assignment.checks)
    return select(assignment.checks, tuple(name for name in only if name in assignment.graded_functions))


def scope(options):
    """The assignments `options` may grade as: the named one, the one whose edition is named, else all.

    Raises:
        ValueError: a bad --assignment or --edition, or `options.only` names a function none of them grades.
    """
    problem = assignments.request_problem(options.assignment, options.edition)
    if problem:
        raise ValueError(problem)
    if options.assignment != AUTO:
        chosen = [assignments.get(options.assignment)]
    elif options.edition != AUTO:
        chosen = [assignments.owner(options.edition)]
    else:
        chosen = list(assignments.registry().values())
    if options.only:
        graded = tuple(dict.fromkeys(name for assignment in chosen for name in assignment.graded_functions))
        unknown = [name for name in options.only if name not in graded]
        if unknown:
            raise ValueError(f"not a graded function: {', '.join(unknown)} (graded: {', '.join(graded)})")
    return chosen


def prepare(options, within=None):
    """A `Prepared` with the part of every assignment in `scope(options)` (their data loaded now).

    Args:
        options: an `Options`.
        within: names of the assignments to load now (a batch's `recognised`); None: all in scope.
            Another one is still loaded when a submission needs it.

    Raises:
        GradingError: the data for model() cannot be found or read.
        ValueError: a bad --assignment / --edition, or `options.only` names something that is not graded.
    """
    prepared = Prepared(options)
    for assignment in scope(options):
        if within is not None and assignment.name not in within:
            continue
        prepared.part(assignment)
        if options.edition in assignment.editions:
            prepared.answer_key(assignment, options.edition)  # start now: it overlaps reading the submission
    return prepared


def recognised(options, paths):
    """What a batch of `paths` will be graded as: (assignments in registry order, their editions).

    Each file is read and recognised as `grade()` reads it, so a class of TF1
    notebooks gets TF1's gradebook columns and answer keys only, not every
    registered assignment's. A file that cannot be read or does not load
    counts for nothing (`grade()` fails it without an answer key). When no file
    counts, the default assignment's (or the one scope names).
    """
    chosen, editions = set(), set()
    for path in paths:
        try:
            program = read_program(path)
        except OSError:
            continue
        if program.fatal:
            continue
        assignment = assignments.choose(options.assignment, options.edition, program)
        chosen.add(assignment.name)
        editions.add(assignment.choose_edition(options.edition, program).edition)
    in_scope = scope(options)
    ordered = [assignment for assignment in in_scope if assignment.name in chosen]
    if not ordered:
        default_name = assignments.default().name
        ordered = [next((a for a in in_scope if a.name == default_name), in_scope[0])]
        editions = {ordered[0].default_edition} if options.edition == AUTO else {options.edition}
    return ordered, tuple(edition for assignment in ordered for edition in assignment.editions if edition in editions)


def wanted_editions(options):
    """The editions a whole run may grade as (a batch loads their answer keys up front): the requested one, else every edition in scope."""
    if options.edition != AUTO:
        return (options.edition,)
    return tuple(edition for assignment in scope(options) for edition in assignment.editions)


def initial_edition(options):
    """The edition a result carries before the submission is read: the requested one, else its assignment's default."""
    if options.edition != AUTO and assignments.owner(options.edition) is not None:
        return options.edition
    if options.assignment in assignments.registry():
        return assignments.get(options.assignment).default_edition
    return assignments.default().default_edition


def grade(submission=None, options=Options(), prepared=None):
    """Grade one submission.

    Args:
        submission: path of a .py or .ipynb file; None grades tfsigns' own reference.
        options: an `Options`.
        prepared: a `Prepared` from `prepare(options)`, to share answer keys
            between submissions (batch); None prepares one here.

    Returns:
        a `Results`; `results.error` is set when grading could not happen.
    """
    name = assignments.default().reference_name if submission is None else Path(submission).name
    results = Results(name, initial_edition(options))
    own = prepared is None
    phases = Phases(results.timings)
    began = time.monotonic()
    try:
        problem = assignments.request_problem(options.assignment, options.edition)
        if problem:
            raise GradingError(problem)
        program = None
        if submission is not None:
            try:
                with phases.timed("read"):
                    program = read_program(submission)
            except OSError as error:
                raise GradingError(f"{submission}: cannot be read ({error.strerror or error})") from None
        assignment = assignments.choose(options.assignment, options.edition, program)
        if submission is None:
            results.submission = assignment.reference_name
        choice = assignment.choose_edition(options.edition, program)
        results.edition, results.edition_reason = choice.edition, choice.reason
        if program is not None:
            if program.kind == "ipynb":
                results.notes.extend(f"{message}; the cell did not run" for message in program.syntax_errors)
            if program.fatal:
                # Nothing runs: no child process, no answer key.
                reason = f"the submission did not load: {program.fatal}"
                _, checks = assignment.for_submission(_selected(assignment, options.only), choice.edition, program)
                results.checks = [_call_failed(assignment, check, reason) for check in checks]
                return results
        if prepared is None:
            with phases.timed("data"):
                prepared = prepare(options)
        part = prepared.part(assignment)
        if not part.checks:
            raise GradingError(
                f"--only: {', '.join(options.only)} not graded in assignment {assignment.name} "
                f"(graded: {', '.join(assignment.graded_functions)})"
            )
        checks, answers = part.checks, prepared.answer_key(assignment, choice.edition)
        # The rows as this submission's template has them (names and tests may differ by template).
        calls, checks = assignment.for_submission(checks, choice.edition, program)
        if answers.data is not None:
            results.data = answers.data.description
        results.basis = assignment.basis(answers, choice.edition)
        with phases.timed("answer key"):
            answers.wait()  # loaded and verified before any of the submission's code runs
        results.notes.extend(answers.notes)
        outcomes, load = _run_calls(assignment, calls, program, checks, answers, choice.edition, options, phases)
        if program is not None:  # a submission's code ran (the bundled reference is not confined)
            results.confined, results.confinement = load.confined, load.confinement
            results.sandbox, results.sandbox_warning = load.sandbox, load.warning
            if load.sandbox and not load.confined:
                prepared.reseal()  # it ran with nothing between it and the cache (not: it failed to load)
        results.notes.extend(f"{error['where']}: {error['type']}: {error['message']}".rstrip(": ") for error in load.errors)
        with phases.timed("compare"):
            results.checks = [
                _evaluate(assignment, check, outcomes[check.call], answers, choice.edition, program, load) for check in checks
            ]
    except (GradingError, IsolationError) as error:
        results.error = str(error)
    except Exception as error:  # a bug of the grader's, reported through the same results
        results.error = f"internal error: {type(error).__name__}: {error}"
    finally:
        if own and prepared is not None:
            prepared.join()  # never leave TensorFlow work running as the interpreter exits
        phases.add("total", time.monotonic() - began)
        _record_timings(results)
    return results


class Phases:
    """Seconds per phase of one grading, kept in `Results.timings` (for bench/grading.py; no report shows them).

    Phases, in order: "read", "data" (loading the data set, when this run
    prepares its own), "answer key", "start" (the child process up to
    TensorFlow imported), "tensorflow" (its import, inside "start"), "load"
    (the submission's top-level code), one per graded function (its calls
    summed, model() among them), "close" (the child's exit), "compare",
    "total".
    """

    def __init__(self, timings):
        self.timings = timings

    def add(self, name, seconds):
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    @contextmanager
    def timed(self, name):
        start = time.monotonic()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - start)


_timings_lock = threading.Lock()


def _record_timings(results):
    """With GRADERS_TIMINGS=FILE: append {"submission", "timings"} as one JSON line (a batch's threads share the file)."""
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        return
    line = json.dumps({"submission": results.submission, "timings": results.timings}) + "\n"
    with _timings_lock, open(path, "a", encoding="utf-8") as stream:
        stream.write(line)


def _run_calls(assignment, calls, program, checks, answers, edition_name, options, phases=None):
    phases = phases or Phases({})
    limits = Limits.from_timeout(options.timeout, options.memory_mb, options.budget)
    budget_end = time.monotonic() + limits.budget
    call_keys = tuple(dict.fromkeys(check.call for check in checks))
    graded = tuple(dict.fromkeys(calls[key].function for key in call_keys))
    outcomes = {}
    hung = set()  # functions that hit the time limit once: one limit per function, not per input
    sandbox = Sandbox(program, graded, edition_name, limits, assignment=assignment)
    try:
        load = sandbox.start()
        for name, seconds in load.timings.items():
            phases.add(name, seconds)
        for key in call_keys:
            call = calls[key]
            if call.function in hung:
                outcomes[key] = Outcome("timeout", detail=f"not run: {call.function}() already hit the time limit on an earlier input")
                continue
            remaining = budget_end - time.monotonic()
            if remaining <= 0:
                outcomes[key] = Outcome("timeout", detail=f"not run: the submission used up its time budget of {limits.budget:g} s")
                continue
            limit = limits.model_timeout if call.slow else limits.call_timeout
            with phases.timed(call.function):
                outcomes[key] = sandbox.call(call.function, call.runner, answers.inputs(call.inputs), min(limit, remaining))
            if outcomes[key].status == "timeout" and remaining < limit:
                outcomes[key].detail = f"did not finish before the submission's time budget of {limits.budget:g} s ran out"
            if outcomes[key].status == "timeout":
                hung.add(call.function)
    finally:
        with phases.timed("close"):
            sandbox.close()
    return outcomes, load


# ---------------------------------------------------------------------------
# One check


def _result(assignment, check, verdict, edition):
    return CheckResult(
        name=check.name,
        function=check.function,
        points=check.points if verdict.passed else 0,
        max_points=check.points,
        passed=verdict.passed,
        failure="" if verdict.passed else check.failure,
        reason=verdict.reason,
        hint=assignment.hint(check, verdict.variant, edition),
    )


def _call_failed(assignment, check, reason, variant="", edition=None):
    """A check whose call gave nothing to compare: the reason says it all, no "want" line (a known mistake's hint may follow)."""
    verdict = compare.Verdict(False, reason, variant)
    return replace(_result(assignment, check, verdict, edition or assignment.default_edition), failure="")


def _evaluate(assignment, check, outcome, answers, edition, program, load):
    failure = compare.call_failure(outcome, check.function)
    if failure:
        if outcome.status == "missing":
            failure += _why_missing(check.function, program, load)
        return _call_failed(assignment, check, failure, assignment.failure_variant(check, outcome), edition)
    verdict = assignment.evaluate(check, outcome, answers, edition)
    if verdict is None:
        verdict = _core_verdict(check, outcome, answers.answer(check.expect))
    return _result(assignment, check, verdict, edition)


def _core_verdict(check, outcome, answer):
    """The comparison kinds every assignment may use: "array", "placeholder", "shapes", "parameters"."""
    rtol, atol = tolerance(check, answer)
    items, arrays = outcome.items, outcome.arrays
    kind = check.compare
    if kind == "array":
        reason = compare.type_failure(items.get(check.pick))
        if reason:
            return compare.Verdict(False, reason)
        return compare.array_verdict(arrays[check.pick], answer.value, rtol, atol, answer.variants)
    if kind == "placeholder":
        return compare.placeholder_verdict(items.get(check.pick), answer.value, answer.variants)
    if kind in ("shapes", "parameters"):
        return compare.parameters_verdict(items, arrays, answer.value, rtol, atol, answer.variants)
    raise ValueError(f"unknown comparison {kind!r} in the checks table")


def _why_missing(function, program, load):
    """When a graded function is missing, the failure in its `# GRADED FUNCTION` cell, if any."""
    if program is None:
        return ""
    for unit in program.units:
        if unit.graded != function or not unit.label:
            continue
        prefix = unit.label + ","
        for message in program.syntax_errors:
            if message.startswith(prefix):
                return f" (its graded cell did not run: {message})"
        for error in load.errors:
            if error["where"].startswith(prefix):
                return f" (its graded cell failed: {error['where']}: {error['type']}: {error['message']})"
    return ""
