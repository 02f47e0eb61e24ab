"""`ASSIGNMENT`: the TF1 "TensorFlow Tutorial" as the core sees it (graders.assignments.base.Assignment)."""
import numpy as np

from graders import compare
from graders.assignments.base import Assignment, Recognition, defined_functions
from graders.assignments.tf1_tutorial import checks as table
from graders.assignments.tf1_tutorial import edition as tf1_edition
from graders.assignments.tf1_tutorial.runners import REGULARIZATION_KEY
from graders.checks import hint_for, tolerance

# Graded functions only the TF1 notebook has (the TF2 one has linear_function, sigmoid, one_hot_matrix too).
_OWN_FUNCTIONS = ("create_placeholders", "cost", "ones")
_TF1_CALLS = ("tf.placeholder(", "tf.Session(", "tf.global_variables_initializer(", "tf.contrib.")
_NEED_FUNCTIONS = ("initialize_parameters:values", "forward_propagation", "compute_cost")


class TF1Tutorial(Assignment):
    name = "tf1_tutorial"
    title = "TensorFlow Tutorial (2018, TF1 placeholders and sessions; SIGNS)"
    editions = tf1_edition.EDITIONS
    default_edition = tf1_edition.DEFAULT
    calls = table.CALLS
    checks = table.CHECKS
    child_module = "graders.assignments.tf1_tutorial.runners"
    child_files = (
        "graders/assignments/tf1_tutorial/__init__.py",
        "graders/assignments/tf1_tutorial/runners.py",
        "graders/assignments/tf1_tutorial/compat/__init__.py",
        "graders/assignments/tf1_tutorial/compat/contrib.py",
        "graders/assignments/tf1_tutorial/compat/graph_globals.py",
        "graders/assignments/tf1_tutorial/compat/minibatches.py",
        "graders/assignments/tf1_tutorial/compat/tf_utils.py",
        "tfsigns/tf_utils.py",
    )
    reference_name = "the tfsigns reference (tfsigns.assignment)"

    def recognise(self, program):
        """10 a TF1-only graded function defined (create_placeholders, cost, ones), 1 a TF1 call in the code."""
        defined = [name for name in defined_functions(program) if name in _OWN_FUNCTIONS]
        source = "\n".join(unit.source for unit in program.units)
        calls = [call for call in _TF1_CALLS if call in source]
        reasons = [f"{', '.join(defined)} defined"] if defined else []
        reasons += [f"the code calls {', '.join(call.rstrip('(') for call in calls)}"] if calls else []
        return Recognition(10 * len(defined) + len(calls), "; ".join(reasons))

    def choose_edition(self, requested, program):
        return tf1_edition.choose(requested, program)

    def load_data(self, data_dir):
        from graders.assignments.signs_data import load_grading_data

        return load_grading_data(data_dir)

    def answer_key(self, edition, data, need_functions):
        from graders.assignments.tf1_tutorial.answers import AnswerKey

        return AnswerKey(edition, data, need_functions=need_functions)

    def needs_functions(self, checks):
        return any(check.expect in _NEED_FUNCTIONS for check in checks)

    def hint(self, check, variant, edition):
        return hint_for(check, variant, edition, other=table.other_edition(edition))

    def basis(self, answers, edition):
        from graders.assignments.tf1_tutorial.answers import MODEL_EPOCHS

        if answers.data is None:
            return ""
        if answers.data.official:
            return (
                f"model(): compared with the notebook's published costs (edition {edition}) "
                f"and tfsigns' reference run of {MODEL_EPOCHS} epochs"
            )
        return (
            f"model(): compared with tfsigns' reference run of {MODEL_EPOCHS} epochs on this data "
            "(the published costs hold for the course's files only)"
        )

    def evaluate(self, check, outcome, answers, edition):
        if check.compare == "printed_cost":
            answer = answers.answer(check.expect)
            rtol, atol = tolerance(check, answer)
            return _printed_cost(check, outcome, answer, rtol, atol, answers)
        if check.compare == "accuracy":
            answer = answers.answer(check.expect)
            _, atol = tolerance(check, answer)
            return _accuracy(check, outcome, answer, atol, answers)
        return None


_PARAMETERS_CHECK = next(check for check in table.CHECKS if check.expect == "model:parameters")


def _returned_parameters(outcome):
    """(parameters, "") when model() returned W1..b3 as finite arrays of the right shapes, else (None, reason)."""
    from graders.assignments.tf1_tutorial.answers import PARAMETER_NAMES
    from tfsigns import expected as E

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
    if not variant and _count(outcome, REGULARIZATION_KEY) > 0:
        variant = "regularization losses"  # not a variant the key computes: what model()'s graph held
    if not compare.close(got, answer.value, rtol, atol):
        reason = f"wrong value: printed {printed}, want {answer.value:.6f} (tolerance {compare.tolerance_text(rtol, atol)})"
        return compare.Verdict(False, reason, variant)
    trained = answers.answer(_PARAMETERS_CHECK.expect)
    p_rtol, p_atol = tolerance(_PARAMETERS_CHECK, trained)
    if not compare.parameters_verdict(outcome.items, outcome.arrays, trained.value, p_rtol, p_atol).passed:
        return compare.Verdict(
            False,
            f"printed {printed}, the expected cost, but returned parameters that training does not give "
            f"(see {_PARAMETERS_CHECK.name}): printed lines alone earn nothing",
        )
    return compare.PASSED


def _count(outcome, key):
    """A non-negative integer the child reported under `key` (0 when absent or not one)."""
    value = outcome.arrays.get(key)
    if value is None or value.shape != () or value.dtype.kind not in "iu":
        return 0
    return max(int(value), 0)


def _accuracy(check, outcome, answer, atol, answers):
    from graders.assignments.tf1_tutorial.answers import accuracy

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


ASSIGNMENT = TF1Tutorial()
