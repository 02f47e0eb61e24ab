"""Is a submission the TF2 "Tensorflow_introduction" notebook, and which template family? Read, never run.

The evidence, strongest first (REFERENCE_TF2.md, "Template families"):

1. a code cell whose whole source is a version marker, `### v1.2`, `### v2.1`
   or `### v3.1` (in a .py export: such a line on its own): the tf2 family;
2. the nbgrader checksum of the loss test cell, which survives a learner's
   edits: `d42866ad...` the mean family, `85882576...` (T3), `19e0a72f...`
   (T4, v1.2) and `4b8e984c...` (v2.1, v3.1) the tf2 family;
3. the graded functions the submission defines: `compute_total_loss` is the
   tf2 family's; `create_placeholders` is the 2018 TF1 assignment's;
4. the test constants of the loss tests in the text (markdown, comments,
   test cells): 0.810287 / 3.295837 (tf2), 0.4051435 (tf2-mean),
   0.8419182681095858 (tf2-early);
5. the early template's code: `binary_crossentropy`, `@tf.function` on
   forward_propagation, one-hot reshaped to `[depth, 1]`.

A learner's wrong code never decides the family (a mean in compute_total_loss
is a mistake of the tf2 family, not the mean family): the template's marks
come first.
"""
import ast
import re

from graders.edition import Choice
from graders.submission import UNPARSABLE

EDITIONS = ("tf2", "tf2-mean", "tf2-early")
DEFAULT = "tf2"

_MARKER = re.compile(r"^\s*###\s*v(\d+\.\d+)\s*$")
CHECKSUMS = {  # first 8 hex digits of the loss test cell's nbgrader checksum
    "d42866ad": ("tf2-mean", "the mean family's"),
    "85882576": ("tf2", "template T3's"),
    "19e0a72f": ("tf2", "template T4's and v1.2's"),
    "4b8e984c": ("tf2", "template v2.1's and v3.1's"),
}
CONSTANTS = (  # (text, family, what it is)
    ("0.8419182681095858", "tf2-early", "the early template's cost test"),
    ("0.4051435", "tf2-mean", "the mean family's cost test"),
    ("0.810287", "tf2", "the summed loss's Test 1"),
    ("3.295837", "tf2", "the summed loss's Test 2"),
    ("(0.50722074 + 1.1133534) / 2.0", "tf2", "the summed loss's Test 1"),
)
_EAGER_SIGNS = ("tf.GradientTape", "GlorotNormal", "EagerTensor", "ResourceVariable")


def defined_functions(program):
    """Names of the functions defined at the top level of any unit."""
    names = set()
    for unit in program.units:
        try:
            tree = ast.parse(unit.source, unit.filename)
        except UNPARSABLE:
            continue
        names |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return names


def _function_source(program, name):
    """The source of the last top-level definition of `name` (decorators included), or ""."""
    found = ""
    for unit in program.units:
        try:
            tree = ast.parse(unit.source, unit.filename)
        except UNPARSABLE:
            continue
        lines = unit.source.splitlines()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
                found = "\n".join(lines[start:node.end_lineno])
    return found


def marker(program):
    """(label, "### v3.1") of the first version marker cell (or line, in a .py export), or None."""
    for unit in program.units:
        if unit.label:  # a notebook cell: the marker is its whole source
            match = _MARKER.match(unit.source.strip())
            if match and "\n" not in unit.source.strip():
                return unit.label, f"### v{match.group(1)}"
        else:
            for number, line in enumerate(unit.source.splitlines(), 1):
                match = _MARKER.match(line)
                if match:
                    return f"line {number}", f"### v{match.group(1)}"
    return None


def checksum(program):
    """(label, grade_id, checksum prefix, family, whose) of the first known loss-test checksum, or None."""
    for label, grade_id, value in getattr(program, "nbgrader", ()) or ():
        known = CHECKSUMS.get(value[:8].lower())
        if known:
            return label, grade_id, value[:8].lower(), known[0], known[1]
    return None


def constants(program):
    """[(family, text, where, what)] of the loss tests' constants found in the text."""
    found = []
    texts = [(unit.label or "the file", unit.source) for unit in program.units] + list(program.texts)
    for text, family, what in CONSTANTS:
        for where, body in texts:
            if text in body:
                found.append((family, text, where, what))
                break
    return found


def _early_code(program):
    """Clauses naming the early template's code, if any."""
    clauses = []
    cost = _function_source(program, "compute_cost")
    if "binary_crossentropy" in cost:
        clauses.append("compute_cost uses binary_crossentropy")
    forward = _function_source(program, "forward_propagation")
    if re.search(r"^\s*@tf\.function", forward, re.M):
        clauses.append("forward_propagation is a @tf.function")
    return clauses


class Evidence:
    """What the submission says about itself: the family (or "") and the clauses saying why."""

    def __init__(self, program):
        self.defined = defined_functions(program)
        self.marker = marker(program)
        self.checksum = checksum(program)
        self.constants = constants(program)
        self.early = _early_code(program)
        sources = "\n".join(unit.source for unit in program.units)
        self.eager = [sign for sign in _EAGER_SIGNS if sign in sources]

    def family(self):
        """(family, reason) from the strongest evidence, or ("", "")."""
        loss = "compute_total_loss defined" if "compute_total_loss" in self.defined else (
            "compute_cost defined" if "compute_cost" in self.defined else "")
        tail = f"; {loss}" if loss else ""
        if self.marker:
            label, text = self.marker
            where = f"a code cell reads \"{text}\"" if label.startswith("code cell") else f"{label} reads \"{text}\""
            return "tf2", where + tail
        if self.checksum:
            label, grade_id, prefix, family, whose = self.checksum
            return family, f"{label} ({grade_id}) carries {whose} nbgrader checksum {prefix}...{tail}"
        if "compute_total_loss" in self.defined:
            return "tf2", "compute_total_loss defined"
        families = {family for family, _, _, _ in self.constants}
        if len(families) == 1:
            family, text, where, what = self.constants[0]
            return family, f"{where} holds {text}, {what}{tail}"
        if self.early and "compute_cost" in self.defined:
            return "tf2-early", "; ".join(self.early)
        return "", ""

    def score(self):
        """How much this looks like the TF2 assignment: 0 for nothing; a TF1 notebook scores 0 too."""
        if "create_placeholders" in self.defined and not (self.marker or self.checksum or "compute_total_loss" in self.defined):
            return 0
        score = 0
        score += 10 if self.marker else 0
        score += 10 if self.checksum else 0
        score += 5 if "compute_total_loss" in self.defined else 0
        score += 3 * len(self.constants)
        score += len(self.eager)
        if "compute_cost" in self.defined and "one_hot_matrix" in self.defined and self.eager:
            score += 2
        return score


def recognise(program):
    """(score, reason): how much `program` looks like this assignment and why."""
    evidence = Evidence(program)
    score = evidence.score()
    if score == 0:
        return 0, ""
    family, reason = evidence.family()
    if not reason:
        reason = "eager TensorFlow (" + ", ".join(evidence.eager) + ")" if evidence.eager else "TF2 names"
    return score, reason


def choose(requested, program=None):
    """The family to grade `program` as: a `graders.edition.Choice`.

    Args:
        requested: one of EDITIONS, or "auto".
        program: a `graders.submission.Program`, or None for the bundled reference.

    Raises:
        ValueError: `requested` is neither "auto" nor a TF2 edition.
    """
    if requested in EDITIONS:
        return Choice(requested, f"--edition {requested}")
    if requested != "auto":
        raise ValueError(f"edition: expected auto or one of {', '.join(EDITIONS)} for tf2_introduction, received {requested!r}")
    if program is None:
        return Choice(DEFAULT, f"auto: tfsigns' TF2 reference follows {DEFAULT}; --edition tf2-mean or tf2-early grades it as those")
    family, reason = Evidence(program).family()
    if family:
        return Choice(family, f"auto: {reason}")
    return Choice(DEFAULT, f"auto: nothing in the submission names a template family (no version marker, nbgrader checksum, "
                           f"compute_total_loss or loss test constant); {DEFAULT}, the current one")
