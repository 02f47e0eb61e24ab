"""Which edition of the TF1 assignment a submission follows: v3 or v3b, read from the submission itself.

The two editions differ in what model() prints (REFERENCE.md): v3 divides the
summed minibatch costs by `num_minibatches = int(m / minibatch_size)`, v3b by
`minibatch_size`; and v3b's cost test passes raw logits. A correct solution
of either edition earns full marks when it is graded as its own edition, so
`--edition auto` (the default) reads, in this order:

1. the submission's model(): the divisor in its `epoch_cost += ... / d` (or
   `epoch_cost = ... / d`) line, whatever the variables are called (the
   cost is what its "Cost after epoch" print shows; a divisor's own
   assignment is followed): `num_minibatches` = `int(m / minibatch_size)` is
   v3, `minibatch_size` is v3b;
2. the notebook's own words: 'Your "Cost after epoch 100" should be 1.016458'
   (v3) or '... 1.048222' (v3b), in a markdown cell or, in a .py export, a
   comment;
3. any other published number of one edition only in the text (expected
   outputs, saved outputs of a run on the course's data);
4. else v3, the edition the course published first.

An explicit `--edition v3|v3b` wins. Nothing here runs the submission.
"""
import ast
import re

from graders.edition import AUTO, Choice  # noqa: F401  (Choice: what choose() returns)
from graders.submission import UNPARSABLE
from tfsigns import expected as E

EDITIONS = ("v3", "v3b")
DEFAULT = "v3"

# 'Your "Cost after epoch 100" should be 1.016458': straight or curly quotes, any line breaks.
_SHOULD_BE = re.compile(r"Cost after epoch 100\W{0,4}\s*should\s+be\s+\**\s*(\d+\.\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])\d\.\d{6,8}(?![\d])")


def _published_numbers():
    """{edition: [(value, what)]}: the numbers each edition's notebook printed and the other's did not."""
    numbers = {}
    for edition in EDITIONS:
        entries = [(expected.value, f"its cost after epoch {epoch}") for epoch, expected in E.EPOCH_COSTS[edition].items()]
        entries += [(float(value), "its cost test's output") for value in E.COST[edition].value]
        numbers[edition] = entries
    return numbers


PUBLISHED = _published_numbers()


def choose(requested, program=None):
    """The edition to grade `program` as.

    Args:
        requested: "v3", "v3b" or "auto".
        program: a `graders.submission.Program`, or None for tfsigns' reference.

    Returns:
        a `Choice`.
    """
    if requested in EDITIONS:
        return Choice(requested, f"--edition {requested}")
    if requested != AUTO:
        raise ValueError(f"edition: expected v3, v3b or auto, received {requested!r}")
    if program is None:
        return Choice(DEFAULT, f"auto: tfsigns' reference follows {DEFAULT}; --edition v3b grades it as v3b")
    found = from_code(program) or from_should_be(program) or from_numbers(program)
    if found:
        return found
    return Choice(
        DEFAULT,
        f"auto: nothing in the submission names an edition (no epoch_cost line dividing by num_minibatches "
        f"or minibatch_size, no published cost); {DEFAULT}, the default",
    )


# ---------------------------------------------------------------------------
# 1. The epoch_cost line of model()


def _model_function(program):
    """(unit, FunctionDef) of the model() that grading calls: the graded cell's, else the last one."""
    found, graded = None, None
    for unit in program.units:
        try:
            tree = ast.parse(unit.source, unit.filename)
        except UNPARSABLE:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "model":
                found = (unit, node)
                if unit.graded == "model":
                    graded = found
    return graded or found


def _names(node):
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name)}


class _Divisors:
    """What a divisor in model() stands for, following the function's own names one step at a time.

    `num_minibatches`, and any name assigned `int(m / minibatch_size)`, is v3's
    divisor; `minibatch_size`, and any parameter defaulting to 32, is v3b's.
    """

    def __init__(self, function):
        self.assigned = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned[node.targets[0].id] = node.value
        arguments = function.args.args
        defaults = dict(zip([argument.arg for argument in arguments[len(arguments) - len(function.args.defaults):]], function.args.defaults))
        self.batch_size_parameters = {
            name for name, default in defaults.items() if isinstance(default, ast.Constant) and default.value == 32
        }

    def edition(self, divisor, depth=0):
        """"v3", "v3b", or "" when the divisor is neither edition's."""
        if depth > 4:
            return ""
        if isinstance(divisor, ast.Name):
            if divisor.id == "num_minibatches":
                return "v3"
            if divisor.id == "minibatch_size" or divisor.id in self.batch_size_parameters:
                return "v3b"
            if divisor.id in self.assigned:
                return self.edition(self.assigned[divisor.id], depth + 1)
            return ""
        # int(m / minibatch_size): the number of complete minibatches, v3's num_minibatches.
        if isinstance(divisor, ast.Call) and ast.unparse(divisor.func) in ("int", "math.floor", "np.floor") and divisor.args:
            inner = _divisions(divisor.args[0])
            if inner and self.edition(inner[0].right, depth + 1) == "v3b":
                return "v3"
            return ""
        if isinstance(divisor, ast.BinOp) and isinstance(divisor.op, ast.FloorDiv):  # m // minibatch_size
            return "v3" if self.edition(divisor.right, depth + 1) == "v3b" else ""
        if isinstance(divisor, ast.Constant) and isinstance(divisor.value, (int, float)) and not isinstance(divisor.value, bool):
            return {33: "v3", 32: "v3b"}.get(divisor.value, "")
        return ""


def _divisions(node):
    """The divisions in an expression, outermost first, not looking inside a divisor (`int(m / minibatch_size)`)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return [node] + _divisions(node.left)
    found = []
    for child in ast.iter_child_nodes(node):
        found += _divisions(child)
    return found


def _cost_names(function):
    """The epoch cost's variable names: epoch_cost, and whatever a "Cost after epoch" print shows."""
    names = {"epoch_cost"}
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            strings = [part.value for arg in node.args for part in ast.walk(arg) if isinstance(part, ast.Constant)]
            if any(isinstance(text, str) and "Cost after epoch" in text for text in strings):
                names |= {name for arg in node.args for name in _names(arg)} - {"epoch", "i", "print_cost"}
    return names


def _epoch_cost_divisions(function):
    """(line, edition, divisor text, variable) for each division in an assignment to the epoch cost."""
    cost_names = _cost_names(function)
    divisors = _Divisors(function)
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.AugAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        named = [target.id for target in targets if isinstance(target, ast.Name) and target.id in cost_names]
        if not named:
            continue
        for division in _divisions(value):
            edition = divisors.edition(division.right)
            if edition:
                found.append((node.lineno, edition, ast.unparse(division.right), named[0]))
    return found


def from_code(program):
    """A `Choice` from the divisor of model()'s epoch cost, or None."""
    located = _model_function(program)
    if located is None:
        return None
    unit, function = located
    divisions = _epoch_cost_divisions(function)
    editions = {edition for _, edition, _, _ in divisions}
    if len(editions) != 1:
        return None  # none, or both conventions in one model(): the text decides
    line, edition, divisor, variable = divisions[0]
    return Choice(edition, f"auto: model() at {unit.where(line)} divides {variable} by {divisor}, {edition}'s convention")


# ---------------------------------------------------------------------------
# 2 and 3. The text around the code


def _texts(program):
    """(label, text) of everything readable: each unit's source (comments included), then the notebook's texts."""
    sources = [(unit.label or "the file", unit.source) for unit in program.units]
    return sources + list(program.texts)


def _edition_of(value):
    for edition, entries in PUBLISHED.items():
        for published, what in entries:
            if abs(value - published) <= 5e-7:
                return edition, what
    return "", ""


def from_should_be(program):
    """A `Choice` from 'Your "Cost after epoch 100" should be X', or None."""
    for label, text in _texts(program):
        for match in _SHOULD_BE.finditer(text):
            edition, _ = _edition_of(float(match.group(1)))
            if edition:
                return Choice(edition, f'auto: {label} says "Cost after epoch 100" should be {match.group(1)} ({edition})')
    return None


def from_numbers(program):
    """A `Choice` when the text holds published numbers of one edition only, or None."""
    seen = {}
    for label, text in _texts(program):
        for match in _NUMBER.finditer(text):
            edition, what = _edition_of(float(match.group(0)))
            if edition and edition not in seen:
                seen[edition] = f"{label} shows {match.group(0)}, {what} in {edition}"
    if len(seen) != 1:
        return None
    (edition, where), = seen.items()
    return Choice(edition, f"auto: {where}")
