"""Grading one submission: read it, run its graded calls in the sandbox, compare, collect results.

    results = grade("alice.ipynb", Options())
    print(results.summary())

The flow: read the submission (`graders.submission`), choose its edition
(`graders.edition`), run its graded calls in the child process
(`graders.sandbox`), compare in this process, which alone holds the answer
key (`graders.answers`), collect one `Results`.
"""
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from graders import compare
from graders import edition as editions
from graders.answers import MODEL_EPOCHS, PARAMETER_NAMES, AnswerKey, accuracy, load_grading_data, reseal
from graders.checks import CALLS, CHECKS, PUBLISHED, Examples, hint_for, select
from graders.isolation import IsolationError
from graders.results import CheckResult, Results
from graders.sandbox import DEFAULT_MEMORY_MB, Limits, Outcome, Sandbox
from graders.submission import read_program
from tfsigns import expected as E
from tfsigns.errors import TfsignsError

REFERENCE_NAME = "the tfsigns reference (tfsigns.assignment)"
TIMINGS_ENV = "GRADERS_TIMINGS"  # a file: one JSON line of phase times per graded submission (bench/grading.py)
_PARAMETERS_CHECK = next(check for check in CHECKS if check.expect == "model:parameters")


@dataclass(frozen=True)
class Options:
    """How to grade.

    Attributes:
        edition: "v3" or "v3b", or "auto": read from each submission
            (`graders.edition`). Defaults to `"auto"`.
        data_dir: data folder for model(); None: tfsigns.data's search order.
        timeout: seconds for model() (the small functions get min(timeout, 30)); None: the defaults.
        only: graded function names to grade; None: all.
        memory_mb: address space a submission may add to TensorFlow's.
        budget: seconds for a whole submission (loading and every call); None: the default.
    """

    edition: str = editions.AUTO
    data_dir: str = None
    timeout: float = None
    only: tuple = None
    memory_mb: int = DEFAULT_MEMORY_MB
    budget: float = None


class GradingError(Exception):
    """Grading could not happen (bad data, a missing file): one line for the user."""


class Prepared:
    """The checks of a grading run and its answer keys, one per edition, made when first asked for.

    A batch shares one `Prepared`: every submission graded as v3 uses the same
    v3 key, every v3b one the same v3b key.

    Attributes:
        checks: the selected rows of `graders.checks.CHECKS`.
        data: the `GradingData` model() is graded on, or None.
    """

    def __init__(self, checks, data, need_functions):
        self.checks = checks
        self.data = data
        self.need_functions = need_functions
        self._keys = {}
        self._lock = threading.Lock()

    def answer_key(self, edition):
        """The started `AnswerKey` of `edition` (reference values load in the background)."""
        with self._lock:
            key = self._keys.get(edition)
            if key is None:
                key = self._keys[edition] = AnswerKey(edition, self.data, need_functions=self.need_functions).start()
            return key

    def wait(self, editions):
        """Load (or compute) the answer keys of `editions` now; re-raise what failed."""
        for name in editions:
            self.answer_key(name).wait()

    def reseal(self):
        """After a submission ran unconfined: keep only the values held here in the cache (`answers.reseal`)."""
        with self._lock:
            keys = list(self._keys.values())
        reseal([key for key in keys if key.finished()])

    def join(self):
        """Wait until no answer key has TensorFlow work running."""
        with self._lock:
            keys = list(self._keys.values())
        for key in keys:
            key.join()


def prepare(options):
    """The selected checks and a `Prepared` holding their answer keys.

    Raises:
        GradingError: the data for model() cannot be found or read.
        ValueError: `options.only` names something that is not graded.
    """
    checks = select(options.only)
    data = None
    if any(check.function == "model" for check in checks):
        try:
            data = load_grading_data(options.data_dir)
        except TfsignsError as error:
            raise GradingError(str(error)) from None
    need_functions = any(
        check.expect in ("initialize_parameters:values", "forward_propagation", "compute_cost") for check in checks
    )
    prepared = Prepared(checks, data, need_functions)
    if options.edition in editions.EDITIONS:
        prepared.answer_key(options.edition)  # start now: it overlaps reading the submission
    return prepared


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
    name = REFERENCE_NAME if submission is None else Path(submission).name
    results = Results(name, options.edition if options.edition in editions.EDITIONS else editions.DEFAULT)
    own = prepared is None
    phases = Phases(results.timings)
    began = time.monotonic()
    try:
        program = None
        if submission is not None:
            try:
                with phases.timed("read"):
                    program = read_program(submission)
            except OSError as error:
                raise GradingError(f"{submission}: cannot be read ({error.strerror or error})") from None
        choice = editions.choose(options.edition, program)
        results.edition, results.edition_reason = choice.edition, choice.reason
        if program is not None:
            if program.kind == "ipynb":
                results.notes.extend(f"{message}; the cell did not run" for message in program.syntax_errors)
            if program.fatal:
                # Nothing runs: no child process, no answer key.
                reason = f"the submission did not load: {program.fatal}"
                results.checks = [_call_failed(check, reason) for check in select(options.only)]
                return results
        if prepared is None:
            with phases.timed("data"):
                prepared = prepare(options)
        checks, answers = prepared.checks, prepared.answer_key(choice.edition)
        if answers.data is not None:
            results.data = answers.data.description
            results.basis = (
                f"model(): compared with the notebook's published costs (edition {choice.edition}) "
                f"and tfsigns' reference run of {MODEL_EPOCHS} epochs"
                if answers.data.official
                else f"model(): compared with tfsigns' reference run of {MODEL_EPOCHS} epochs on this data "
                "(the published costs hold for the course's files only)"
            )
        with phases.timed("answer key"):
            answers.wait()  # loaded and verified before any of the submission's code runs
        results.notes.extend(answers.notes)
        outcomes, load = _run_calls(program, checks, answers, choice.edition, options, phases)
        if program is not None:  # a submission's code ran (the bundled reference is not confined)
            results.confined, results.confinement = load.confined, load.confinement
            results.sandbox, results.sandbox_warning = load.sandbox, load.warning
            if load.sandbox and not load.confined:
                prepared.reseal()  # it ran with nothing between it and the cache (not: it failed to load)
        results.notes.extend(f"{error['where']}: {error['type']}: {error['message']}".rstrip(": ") for error in load.errors)
        with phases.timed("compare"):
            results.checks = [_evaluate(check, outcomes[check.call], answers, choice.edition, program, load) for check in checks]
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


def _run_calls(program, checks, answers, edition_name, options, phases=None):
    phases = phases or Phases({})
    limits = Limits.from_timeout(options.timeout, options.memory_mb, options.budget)
    budget_end = time.monotonic() + limits.budget
    call_keys = tuple(dict.fromkeys(check.call for check in checks))
    graded = tuple(dict.fromkeys(CALLS[key].function for key in call_keys))
    outcomes = {}
    hung = set()  # functions that hit the time limit once: one limit per function, not per input
    sandbox = Sandbox(program, graded, edition_name, limits)
    try:
        load = sandbox.start()
        for name, seconds in load.timings.items():
            phases.add(name, seconds)
        for key in call_keys:
            call = CALLS[key]
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


def _result(check, verdict, edition="v3"):
    return CheckResult(
        name=check.name,
        function=check.function,
        points=check.points if verdict.passed else 0,
        max_points=check.points,
        passed=verdict.passed,
        failure="" if verdict.passed else check.failure,
        reason=verdict.reason,
        hint=hint_for(check, verdict.variant, edition),
    )


def _call_failed(check, reason):
    """A check whose call gave nothing to compare: the reason says it all, no "want" line."""
    return replace(_result(check, compare.Verdict(False, reason)), failure="")


def _tolerance(check, answer):
    """(rtol, atol) of a check: its own, or the one published with the value."""
    if check.tolerance == PUBLISHED:
        return float(answer.rtol or 0.0), float(answer.atol or 0.0)
    if isinstance(check.tolerance, Examples):
        return 0.0, check.tolerance.count / answer.examples + 1e-12
    return check.tolerance


def _evaluate(check, outcome, answers, edition, program, load):
    failure = compare.call_failure(outcome, check.function)
    if failure:
        if outcome.status == "missing":
            failure += _why_missing(check.function, program, load)
        return _call_failed(check, failure)
    answer = answers.answer(check.expect)
    rtol, atol = _tolerance(check, answer)
    items, arrays = outcome.items, outcome.arrays
    kind = check.compare
    if kind == "array":
        reason = compare.type_failure(items.get(check.pick))
        verdict = compare.Verdict(False, reason) if reason else compare.array_verdict(
            arrays[check.pick], answer.value, rtol, atol, answer.variants
        )
    elif kind == "placeholder":
        verdict = compare.placeholder_verdict(items.get(check.pick), answer.value, answer.variants)
    elif kind in ("shapes", "parameters"):
        verdict = compare.parameters_verdict(items, arrays, answer.value, rtol, atol, answer.variants)
    elif kind == "printed_cost":
        verdict = _printed_cost(check, outcome, answer, rtol, atol, answers)
    elif kind == "accuracy":
        verdict = _accuracy(check, outcome, answer, atol, answers)
    else:
        raise ValueError(f"unknown comparison {kind!r} in the checks table")
    return _result(check, verdict, edition)


def _returned_parameters(outcome):
    """(parameters, "") when model() returned W1..b3 as finite arrays of the right shapes, else (None, reason)."""
    shapes = {name: tuple(E.PARAMETER_SHAPES[name]) for name in PARAMETER_NAMES}
    verdict = compare.parameters_verdict(outcome.items, outcome.arrays, shapes, 0.0, 0.0)
    if not verdict.passed:
        return None, verdict.reason
    if not compare.valid_parameters(outcome.items, outcome.arrays, shapes):
        return None, "the returned parameters hold NaN or infinite values"
    return {name: outcome.arrays[name] for name in PARAMETER_NAMES}, ""


def _printed_cost(check, outcome, answer, rtol, atol, answers):
    epoch = int(check.pick)
    parameters, problem = _returned_parameters(outcome)
    if parameters is None:
        return compare.Verdict(False, f"printed costs count only when model() returns the trained parameters: {problem}")
    if epoch not in outcome.costs:
        return compare.Verdict(
            False, f"printed no line \"Cost after epoch {epoch}: ...\" (the notebook prints one every 100 epochs)"
        )
    got, printed = outcome.costs[epoch]
    variant = compare.match_variant(np.float64(got), answer.variants, rtol, atol)
    if not compare.close(got, answer.value, rtol, atol):
        reason = f"wrong value: printed {printed}, want {answer.value:.6f} (tolerance {compare.tolerance_text(rtol, atol)})"
        return compare.Verdict(False, reason, variant)
    trained = answers.answer(_PARAMETERS_CHECK.expect)
    p_rtol, p_atol = _tolerance(_PARAMETERS_CHECK, trained)
    if not compare.parameters_verdict(outcome.items, outcome.arrays, trained.value, p_rtol, p_atol).passed:
        return compare.Verdict(
            False,
            f"printed {printed}, the expected cost, but returned parameters that training does not give "
            f"(see {_PARAMETERS_CHECK.name}): printed lines alone earn nothing",
        )
    return compare.PASSED


def _accuracy(check, outcome, answer, atol, answers):
    parameters, problem = _returned_parameters(outcome)
    if parameters is None:
        return compare.Verdict(False, problem)
    X, Y = answers.columns(check.pick)
    got = accuracy(parameters, X, Y)
    if abs(got - answer.value) <= atol:
        return compare.PASSED
    m = X.shape[1]
    return compare.Verdict(
        False,
        f"wrong value: the returned parameters classify {round(got * m)}/{m} = {got:.6f} correctly, "
        f"want {round(answer.value * m)}/{m} = {answer.value:.6f} (tolerance {check.tolerance.count} examples)",
    )


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
