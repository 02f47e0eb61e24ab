"""What a checks table is made of, for every assignment: `Call`, `Check`, `Examples`, `PUBLISHED`.

Each assignment declares its own table (`graders.assignments.<name>.checks`:
`CALLS` and `CHECKS`, where an instructor edits points and hints); the core
only reads the rows. `CALLS` says how the child calls each graded function
(its runner, and the answer key's inputs); several checks share one call.

Tolerance: `PUBLISHED` means the tolerance declared with the value itself
(the answer's own rtol and atol); a pair is (rtol, atol) for values the
grader computes with the reference; `Examples(n)` allows n examples either
way in an accuracy.
"""
from dataclasses import dataclass

PUBLISHED = "published"


@dataclass(frozen=True)
class Examples:
    """An accuracy tolerance: this many examples either way."""

    count: int


@dataclass(frozen=True)
class Call:
    """How the child calls a graded function.

    Attributes:
        function: the graded function's name.
        runner: the child's runner (the assignment's child module's `RUNNERS`).
        inputs: the answer key's name for the arguments (`answer_key.inputs(name)`).
        slow: model(): gets the model time limit instead of the small one.
    """

    function: str
    runner: str
    inputs: str
    slow: bool = False


@dataclass(frozen=True)
class Check:
    """One row of the table.

    Attributes:
        name: "function: what", as reports and Gradescope show it.
        function: the graded function.
        points: what passing earns.
        call: key of the assignment's `CALLS`.
        expect: the answer key's entry (`answer_key.answer(expect)`).
        compare: how: the core's "array", "placeholder", "shapes", "parameters",
            or a kind of the assignment's own (`Assignment.evaluate`).
        pick: which part of the result: an array's key, a placeholder's name, an epoch.
        tolerance: `PUBLISHED`, (rtol, atol), or `Examples(n)`.
        failure: what the check wanted, shown when it fails.
        hints: ((variant label prefix, hint), ...) for known mistakes.
    """

    name: str
    function: str
    points: int
    call: str
    expect: str
    compare: str
    pick: str
    tolerance: object
    failure: str
    hints: tuple = ()


def graded_functions(checks):
    """The graded functions of a table, in table order."""
    return tuple(dict.fromkeys(check.function for check in checks))


def select(checks, only=None):
    """The rows of `checks` for the functions named in `only` (all when None), in table order.

    Raises:
        ValueError: a name in `only` is not a graded function of this table.
    """
    if not only:
        return tuple(checks)
    graded = graded_functions(checks)
    unknown = [name for name in only if name not in graded]
    if unknown:
        raise ValueError(f"not a graded function: {', '.join(unknown)} (graded: {', '.join(graded)})")
    return tuple(check for check in checks if check.function in only)


def hint_for(check, variant, edition, **fields):
    """The hint of the known mistake `variant` (a label from the answer key), or "".

    A hint may name `{variant}`, `{edition}` and whatever `fields` the assignment passes.
    """
    if not variant:
        return ""
    for prefix, hint in check.hints:
        if variant.startswith(prefix):
            return hint.format(variant=variant, edition=edition, **fields)
    return ""


def tolerance(check, answer):
    """(rtol, atol) of a check: its own, or the one published with the value."""
    if check.tolerance == PUBLISHED:
        return float(answer.rtol or 0.0), float(answer.atol or 0.0)
    if isinstance(check.tolerance, Examples):
        return 0.0, check.tolerance.count / answer.examples + 1e-12
    return check.tolerance
