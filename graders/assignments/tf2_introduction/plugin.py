"""`ASSIGNMENT`: the TF2 "Tensorflow_introduction" as the core sees it, and its own comparisons.

The comparisons are the notebook's tests made honest on today's TensorFlow:
the same type checks (`EagerTensor`, `ResourceVariable`), shapes and dtypes,
and values within the tolerances declared in `tfsigns.expected` instead of
float32 `==` (sigmoid(12) is 0.9999939 on TF 2.3 and 0.99999386 on TF 2.21:
both pass).
"""
import numpy as np

from graders import compare
from graders.assignments.base import Assignment, Recognition
from graders.assignments.tf2_introduction import checks as table
from graders.assignments.tf2_introduction import recognition
from graders.checks import tolerance

_NEED_FUNCTIONS = ("initialize_parameters:values", "forward_propagation", "normalize")
# Known mistakes are matched by value only to choose a hint: looser than the check's own
# tolerance, since numpy computes them in float64 and the learner's TensorFlow in float32.
_VARIANT_RTOL, _VARIANT_ATOL = 1e-4, 1e-6


class TF2Introduction(Assignment):
    name = "tf2_introduction"
    title = "Tensorflow_introduction (2021-2025, eager TF2: tf.Variable, GradientTape, tf.data; SIGNS)"
    editions = recognition.EDITIONS
    default_edition = recognition.DEFAULT
    calls = table.CALLS
    checks = table.CHECKS
    child_module = "graders.assignments.tf2_introduction.runners"
    child_files = (
        "graders/assignments/tf2_introduction/__init__.py",
        "graders/assignments/tf2_introduction/runners.py",
    )
    reference_name = "the tfsigns TF2 reference (tfsigns.tf2)"

    def recognise(self, program):
        score, reason = recognition.recognise(program)
        return Recognition(score, reason)

    def choose_edition(self, requested, program):
        return recognition.choose(requested, program)

    def for_submission(self, checks, edition, program):
        """The selected rows as the submission's template has them: the loss under the name it defines, the family's tests.

        `checks` are the selected rows of `CHECKS` (`--only`); the family's
        rows (`checks.for_program`) are kept for those the selection holds.
        """
        calls, rows = table.for_program(edition, program)
        selected = {check.expect for check in checks}
        return calls, tuple(row for row in rows if row.expect in selected)

    def load_data(self, data_dir):
        from graders.assignments.signs_data import load_grading_data

        return load_grading_data(data_dir)

    def answer_key(self, edition, data, need_functions):
        from graders.assignments.tf2_introduction.answers import AnswerKey

        return AnswerKey(edition, data, need_functions=need_functions)

    def needs_functions(self, checks):
        return any(check.expect in _NEED_FUNCTIONS for check in checks)

    def basis(self, answers, edition):
        from graders.assignments.tf2_introduction.answers import MODEL_EPOCHS

        if answers.data is None:
            return ""
        return (
            f"model(): provided code, 0 points: its printed costs compared with tfsigns.tf2's run of "
            f"{MODEL_EPOCHS} epochs on this data (edition {edition})"
        )

    def failure_variant(self, check, outcome):
        """The label of a known mistake from a failed call: "raised TypeError", ...; model(): what it calls."""
        if check.function == "model" and outcome.status == "raised":
            return "differs"
        if outcome.status == "raised":
            return f"raised {outcome.error.get('type', '')}"
        return ""

    def evaluate(self, check, outcome, answers, edition):
        kind = check.compare
        if kind not in _KINDS:
            return None
        if outcome.status != "returned":
            return compare.Verdict(False, compare.call_failure(outcome, check.function), self.failure_variant(check, outcome))
        answer = answers.answer(check.expect)
        rtol, atol = tolerance(check, answer)
        return _KINDS[kind](check, outcome, answer, rtol, atol, edition)


# ---------------------------------------------------------------------------
# The comparisons


def _variant(got, variants):
    """The label of the known mistake `got` matches (shape included), or ""."""
    return compare.match_variant(got, variants, _VARIANT_RTOL, _VARIANT_ATOL)


def _tensor(check, outcome, answer, rtol, atol, edition):
    """An EagerTensor of the wanted dtype (check.pick; "float": any float), shape and values."""
    item = outcome.items.get("value")
    if item is None or item.get("type") == "NoneType":
        return compare.Verdict(False, f"wrong type: got {compare.kind_name(item)}, want an EagerTensor", "returned None")
    if item.get("kind") != "array":
        return compare.Verdict(False, f"wrong type: got {compare.kind_name(item)}, want an EagerTensor")
    got = outcome.arrays["value"]
    variant = _variant(got, answer.variants)
    type_name = item.get("type", "")
    if type_name != "EagerTensor":
        return compare.Verdict(False, f"wrong type: got {type_name or 'an array'}, want an EagerTensor (use the TensorFlow API)", variant)
    dtype = item.get("dtype", "")
    if check.pick and not (dtype == check.pick or (check.pick == "float" and dtype.startswith("float"))):
        return compare.Verdict(False, f"wrong dtype: got {dtype}, want {check.pick}", variant)
    verdict = compare.array_verdict(got, answer.value, rtol, atol)
    if verdict.passed:
        return verdict
    return compare.Verdict(False, verdict.reason, variant)


def _variables(check, outcome, answer, rtol, atol, edition):
    """Six tf.Variables (ResourceVariable) float32 of the template's shapes."""
    items, arrays = outcome.items, outcome.arrays
    if "result" in items:
        return compare.Verdict(False, f"wrong type: got {compare.kind_name(items['result'])}, want a dict of tf.Variables")
    missing = [name for name in answer.value if name not in items]
    if missing:
        return compare.Verdict(False, f"missing keys: {', '.join(missing)} (want {', '.join(answer.value)})")
    transposed = all(
        name in arrays and tuple(arrays[name].shape) == tuple(reversed(shape))
        for name, shape in answer.value.items() if name.startswith("W")
    )
    for name, shape in answer.value.items():
        item = items[name]
        if item.get("type") != "ResourceVariable":
            return compare.Verdict(False, f"{name}: wrong type: got {item.get('type') or compare.kind_name(item)}, "
                                          "want a tf.Variable (ResourceVariable)")
        if item.get("dtype") != "float32":
            return compare.Verdict(False, f"{name}: wrong dtype: got {item.get('dtype')}, want float32")
        if tuple(arrays[name].shape) != tuple(shape):
            variant = "transposed" if transposed else ""
            return compare.Verdict(False, f"{name}: wrong shape: got {compare.shape_text(arrays[name].shape)}, "
                                          f"want {compare.shape_text(shape)}", variant)
    return compare.PASSED


def _statistics(check, outcome, answer, rtol, atol, edition):
    """The course's check of every returned variable: |mean| < 0.5 and 0 < std < 1."""
    arrays = outcome.arrays
    max_abs_mean = answer.value["max_abs_mean"]
    low, high = answer.value["std_range"]
    names = [name for name in outcome.items.get("keys", {}).get("keys", []) if name in arrays]
    if not names:
        return compare.Verdict(False, f"wrong type: got {compare.kind_name(outcome.items.get('result'))}, want a dict of tf.Variables")
    zero = [name for name in names if float(np.std(arrays[name])) == 0.0]
    for name in names:
        mean, std = float(np.mean(arrays[name])), float(np.std(arrays[name]))
        if not abs(mean) < max_abs_mean:
            return compare.Verdict(False, f"{name}: mean {mean:.6g} (want |mean| < {max_abs_mean:g})")
        if not low < std < high:
            variant = "zero biases" if zero and all(name.startswith("b") for name in zero) else ""
            detail = f"{', '.join(zero)} have standard deviation 0" if zero else f"{name}: standard deviation {std:.6g}"
            return compare.Verdict(False, f"{detail} (want {low:g} < std < {high:g})", variant)
    return compare.PASSED


def _glorot(check, outcome, answer, rtol, atol, edition):
    """The values GlorotNormal(seed=1) draws for each shape (stateless: the same whatever the order)."""
    arrays = outcome.arrays
    for name in answer.value:
        if name not in arrays:
            return compare.Verdict(False, f"{name}: missing or not a variable (see the check of the variables' types and shapes)")
        if tuple(arrays[name].shape) != tuple(np.shape(answer.value[name])):
            return compare.Verdict(False, f"{name}: wrong shape {compare.shape_text(arrays[name].shape)} "
                                          "(see the check of the variables' types and shapes)")
    wrong = [name for name in answer.value if not compare.close(arrays[name], answer.value[name], rtol, atol)]
    if not wrong:
        return compare.PASSED
    zero_biases = all(name.startswith("b") and not np.any(arrays[name]) for name in wrong)
    name = wrong[0]
    reason = f"{', '.join(wrong)} differ; {name}: " + compare.values_message(arrays[name], answer.value[name], rtol, atol)
    return compare.Verdict(False, reason, "zero biases" if zero_biases else "not GlorotNormal(seed=1)")


def _gradients(check, outcome, answer, rtol, atol, edition):
    item = outcome.items.get("none_gradients")
    if item is None:
        return compare.Verdict(False, f"no gradients to check: forward_propagation returned {compare.kind_name(outcome.items.get('value'))}")
    none = item.get("keys", [])
    if not none:
        return compare.PASSED
    return compare.Verdict(False, f"the gradients of {', '.join(none)} are None (want all six of {', '.join(answer.value)})", "None gradient")


def _model_cost(check, outcome, answer, rtol, atol, edition):
    epoch = int(check.pick)
    if epoch not in outcome.costs:
        return compare.Verdict(False, f"printed no line \"Cost after epoch {epoch}: ...\" (the notebook prints one every 10 epochs)")
    got, printed = outcome.costs[epoch]
    if compare.close(got, answer.value, rtol, atol):
        return compare.PASSED
    return compare.Verdict(False, f"wrong value: printed {printed}, want {answer.value:.6f} "
                                  f"(tolerance {compare.tolerance_text(rtol, atol)})", "differs")


_KINDS = {
    "tensor": _tensor,
    "variables": _variables,
    "statistics": _statistics,
    "glorot": _glorot,
    "gradients": _gradients,
    "model_cost": _model_cost,
}

ASSIGNMENT = TF2Introduction()
