"""The one results object of a grading run, and its only renderings: text, Gradescope JSON, Coursera JSON.

"Could it be graded" is kept apart from the score: `error` says why a run
could not grade at all (bad data, an internal failure); the text and both
JSON answers still come from here then, so there is no second writer.
"""
from dataclasses import asdict, dataclass, field

WIDTH = 60  # column of the points in the text report


@dataclass(frozen=True)
class CheckResult:
    """One check's result.

    Attributes:
        name: "function: what".
        function: the graded function.
        points, max_points: earned and possible.
        passed: whether it earned its points.
        failure: what the check wanted (shown on failure).
        reason: the staged reason it failed.
        hint: advice for a recognised mistake, or "".
    """

    name: str
    function: str
    points: float
    max_points: float
    passed: bool
    failure: str = ""
    reason: str = ""
    hint: str = ""

    def feedback(self):
        """The lines shown under a failed check (none for a passed one)."""
        if self.passed:
            return []
        lines = [self.failure, self.reason]
        if self.hint:
            lines.append("hint: " + self.hint)
        return [line for line in lines if line]


@dataclass
class Results:
    """Everything a grading run found.

    Attributes:
        submission: the submission's file name ("tfsigns reference" for the bundled one).
        edition: "v3" or "v3b", the edition it was graded as.
        edition_reason: why that edition (`graders.edition.Choice.reason`), or "".
        checks: `CheckResult`s in table order.
        data: the data line (when model() was graded), or "".
        basis: what model()'s values are compared with, or "".
        notes: problems met while loading (statements that failed), one line each.
        error: why grading could not happen at all, or "".
        confined: the submission ran isolated (bubblewrap, or the Landlock fallback applied).
        confinement: one line: what confined it, or why nothing could ("" when no submitted code ran).
        sandbox: the isolation used, for the header ("bubblewrap (uid 65534, no network)"), or "".
        sandbox_warning: why the fallback (or nothing) was used, or "".
        timings: seconds per phase of this run (`graders.grading.Phases`), for
            bench/grading.py; no report or JSON answer shows them.
    """

    submission: str
    edition: str = "v3"
    edition_reason: str = ""
    checks: list = field(default_factory=list)
    data: str = ""
    basis: str = ""
    notes: list = field(default_factory=list)
    error: str = ""
    confined: bool = False
    confinement: str = ""
    sandbox: str = ""
    sandbox_warning: str = ""
    timings: dict = field(default_factory=dict, compare=False)

    @property
    def score(self):
        return sum(check.points for check in self.checks)

    @property
    def max_score(self):
        return sum(check.max_points for check in self.checks)

    @property
    def graded(self):
        return not self.error

    @property
    def all_passed(self):
        return self.graded and all(check.passed for check in self.checks)

    def exit_code(self):
        """0: every check passed; 1: graded, something failed; 2: could not grade."""
        if not self.graded:
            return 2
        return 0 if self.all_passed else 1

    def points_by_function(self):
        """{function: (points, max_points)} in table order."""
        totals = {}
        for check in self.checks:
            points, max_points = totals.get(check.function, (0, 0))
            totals[check.function] = (points + check.points, max_points + check.max_points)
        return totals

    def summary(self):
        """The text report."""
        lines = [f"Grading {self.submission} (edition {self.edition})"]
        lines.extend(line for line in (self.edition_line(), self.sandbox_line(), self.data, self.basis) if line)
        for note in self.notes:
            lines.append(f"note: {note}")
        if self.error:
            lines.append(f"could not grade: {self.error}")
            return "\n".join(lines) + "\n"
        for check in self.checks:
            status = "PASS" if check.passed else "FAIL"
            points = f"{_number(check.points)}/{_number(check.max_points)}"
            lines.append(f"{status}  {check.name:<{WIDTH}} {points:>6}")
            lines.extend("      " + line for line in check.feedback())
        failed = sum(1 for check in self.checks if not check.passed)
        verdict = "all checks passed" if not failed else f"{failed} of {len(self.checks)} checks failed"
        lines.append(f"Score: {_number(self.score)}/{_number(self.max_score)} ({verdict})")
        return "\n".join(lines) + "\n"

    def unconfined_warning(self):
        """A warning when a submission's code ran without bubblewrap's isolation, else ""."""
        if not self.sandbox:
            return ""
        if not self.confined:
            return (
                f"{self.submission} ran without full confinement ({self.confinement}); "
                "the cached answers were verified before it ran and resealed after"
            )
        if self.sandbox_warning:
            return f"{self.submission}: {self.sandbox_warning} ({self.confinement})"
        return ""

    def sandbox_line(self):
        """"Sandbox: bubblewrap (uid 65534, no network)", or "" when no submitted code ran."""
        return f"Sandbox: {self.sandbox}" if self.sandbox else ""

    def edition_line(self):
        """"Edition: v3b (auto: ...)": which edition and why, or "" when no reason was recorded."""
        return f"Edition: {self.edition} ({self.edition_reason})" if self.edition_reason else ""

    def to_dict(self):
        return {
            "submission": self.submission,
            "edition": self.edition,
            "edition_reason": self.edition_reason,
            "data": self.data,
            "basis": self.basis,
            "graded": self.graded,
            "error": self.error,
            "notes": list(self.notes),
            "confined": self.confined,
            "confinement": self.confinement,
            "sandbox": self.sandbox,
            "sandbox_warning": self.sandbox_warning,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [asdict(check) for check in self.checks],
        }

    def to_gradescope_dict(self):
        """Gradescope's results.json: score, tests[] with name, score, max_score, output, visibility."""
        output = [line for line in [self.edition_line(), self.sandbox_line(), self.data, self.basis] + [f"note: {note}" for note in self.notes] if line]
        if self.error:
            output.append(f"could not grade: {self.error}")
        return {
            "score": float(self.score),
            "output": "\n".join(output),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [
                {
                    "name": check.name,
                    "score": float(check.points),
                    "max_score": float(check.max_points),
                    "status": "passed" if check.passed else "failed",
                    "output": "\n".join(check.feedback()),
                    "visibility": "visible",
                }
                for check in self.checks
            ],
        }

    def to_coursera_dict(self):
        """Coursera's custom-grader answer: fractionalScore (score / max_score, 0.0 when ungraded or max is 0), feedback (the text report)."""
        fraction = self.score / self.max_score if self.graded and self.max_score else 0.0
        return {"fractionalScore": float(fraction), "feedback": self.summary()}


def _number(value):
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
