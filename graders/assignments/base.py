"""What an assignment plug-in is: `Assignment`, and what recognising one gives, `Recognition`.

An assignment is one package under graders/assignments/ whose `__init__.py`
exposes `ASSIGNMENT`, an instance of a subclass of `Assignment`
(/work/plugin-interface.md is the contract; graders.assignments.tf1_tutorial
the worked example). The package's `__init__.py` is imported inside the
sandbox too (it is the parent of `child_module`), so it must import nothing
the child's view lacks: tf1_tutorial makes `ASSIGNMENT` a lazy module
attribute.
"""
from dataclasses import dataclass

from graders.checks import graded_functions, hint_for


@dataclass(frozen=True)
class Recognition:
    """How much a submission looks like an assignment.

    Attributes:
        score: 0 for nothing of it; the registry picks the highest.
        reason: a short clause, e.g. 'a code cell reads "### v3.1"; compute_total_loss defined'.
    """

    score: int
    reason: str = ""


class Assignment:
    """One assignment: its checks table, answer key, editions and child side.

    Attributes:
        name: the package's name, e.g. "tf1_tutorial" (what `--assignment` takes).
        title: one line for `--list-assignments`.
        editions: the edition names `--edition` takes, e.g. ("v3", "v3b").
        default_edition: one of `editions`.
        calls: {call key: graders.checks.Call}.
        checks: tuple of graders.checks.Check, in report order (points live here).
        child_module: dotted name of the module the sandboxed child imports
            (`prepare(tf)`, `builtins_for_submission()`, `RUNNERS`, `reference_functions(edition)`).
        child_files: repo-relative paths staged into the child's view besides the core's
            (the package's `__init__.py` and `child_module` at least; never a tfsigns reference).
        reference_name: the report's name for the bundled reference (`python -m graders` with no submission).
    """

    name = ""
    title = ""
    editions = ()
    default_edition = ""
    calls = {}
    checks = ()
    child_module = ""
    child_files = ()
    reference_name = "the tfsigns reference"

    # -- what each assignment says -------------------------------------------

    def recognise(self, program):
        """A `Recognition` of `program` (a graders.submission.Program)."""
        raise NotImplementedError

    def choose_edition(self, requested, program):
        """A graders.edition.Choice for `requested` (one of `editions`, or "auto"); `program` None: the bundled reference."""
        raise NotImplementedError

    def load_data(self, data_dir):
        """The data model() is graded on (with a `.description` line), or raises tfsigns.errors.TfsignsError."""
        raise NotImplementedError

    def answer_key(self, edition, data, need_functions):
        """An answer key: `start() wait() join() finished() inputs(name) answer(key) held()`, `.notes`, `.data`."""
        raise NotImplementedError

    def evaluate(self, check, outcome, answers, edition):
        """A graders.compare.Verdict for the assignment's own comparison kinds; None: a kind the core knows."""
        return None

    def basis(self, answers, edition):
        """The report's "model(): compared with ..." line, or ""."""
        return ""

    # -- what the core derives (override when the default does not fit) ----

    @property
    def graded_functions(self):
        """The graded functions, in table order."""
        return graded_functions(self.checks)

    @property
    def max_score(self):
        return sum(check.points for check in self.checks)

    def needs_data(self, checks):
        """Whether the selected `checks` need `load_data` (default: one of their calls is slow, i.e. model())."""
        return any(self.calls[check.call].slow for check in checks)

    def needs_functions(self, checks):
        """`answer_key`'s need_functions for the selected `checks` (default: True)."""
        return True

    def for_submission(self, checks, edition, program):
        """(calls, checks) to grade one submission of `edition` with: by default `calls` and the selected `checks` as they are.

        An assignment whose templates name a graded function differently or test
        it differently overrides this (tf2_introduction: `compute_total_loss`
        or `compute_cost`, the loss's Test 2 in one family only). `program` is
        None for the bundled reference.
        """
        return self.calls, checks

    def failure_variant(self, check, outcome):
        """The label of a known mistake a failed call shows (e.g. "raised TypeError"), for `hint`; "" by default."""
        return ""

    def child_sources(self):
        """{staged path: source file} of `child_files` (default: each found at its path in the project)."""
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        return {name: root / name for name in self.child_files}

    def hint(self, check, variant, edition):
        """The hint of a known mistake (graders.checks.hint_for), "" when none."""
        return hint_for(check, variant, edition)

    def __repr__(self):
        return f"<assignment {self.name}>"


def defined_functions(program):
    """The names of the functions `program`'s units define at top level, in order (units that do not parse: none)."""
    import ast

    from graders.submission import UNPARSABLE

    found = []
    for unit in program.units:
        try:
            tree = ast.parse(unit.source, unit.filename)
        except UNPARSABLE:
            continue
        found += [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return tuple(dict.fromkeys(found))
