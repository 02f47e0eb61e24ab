"""The TF2 assignment's answer key: the grader's inputs, the expected values, the values of known mistakes.

Expected values never enter the child. The notebook's published checks come
from `tfsigns.expected` (the TF2 section, each with its source and
tolerance); what depends on TensorFlow's own numbers (initialize_parameters'
`GlorotNormal(seed=1)` draws, forward_propagation's Z3 on the grader's input,
normalize, model()'s first 11 epochs on the grading data) is computed here with
the TF2 reference `tfsigns.tf2`, in the grader's process, once per edition
(and data), and cached signed by `graders.answer_cache` when the core has it.

Known mistakes are recognised by value: numpy computes what each mistaken
variant gives on the same input (the loss without the transposes, a mean for
the sum, no `from_logits`, a ReLU or softmax after Z3, a one-hot of the other
shape, pixels divided by 256).
"""
import hashlib
import itertools
from dataclasses import dataclass, field

import numpy as np

from graders import answer_cache
from tfsigns import expected as E

MODEL_EPOCHS = 11  # prints (and appends) after epochs 0 and 10: two costs to compare
MODEL_COST_EPOCHS = (0, 10)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
REFERENCE_RUN = "tfsigns.tf2 (the TF2 reference), run by the grader on the same input"
ANSWERS_VERSION = 1  # bump when what a cached file holds changes


@dataclass(frozen=True)
class Answer:
    """What a check compares against (the fields the core reads: value, rtol, atol, variants, examples).

    Attributes:
        value: the expected value (array, float, or a dict of arrays / shapes).
        atol, rtol: the tolerance published with the value, or None (the check's own applies).
        source: where the value comes from.
        variants: {label: value} of known mistakes on the same input.
        examples: unused here (accuracies are not graded in this edition).
    """

    value: object
    atol: object = None
    rtol: object = None
    source: str = REFERENCE_RUN
    variants: dict = field(default_factory=dict)
    examples: int = 0


def _published(expected, variants=None):
    return Answer(expected.value, expected.atol, expected.rtol, expected.source, variants or {})


# ---------------------------------------------------------------------------
# The grader's inputs (deterministic, no TensorFlow)


def forward_inputs():
    """X: float32 (12288, 2) in [0, 1) like scaled pixels; parameters: float32 W1 (25, 12288) ... b3 (6, 1).

    GlorotNormal-sized weights and nonzero biases (zero biases would hide a missing `+ b`).
    """
    rng = np.random.RandomState(2)
    X = rng.rand(12288, 2).astype(np.float32)
    parameters = {}
    for layer, n_out, n_in in ((1, 25, 12288), (2, 12, 25), (3, 6, 12)):
        std = np.sqrt(2.0 / (n_in + n_out))
        parameters[f"W{layer}"] = (std * rng.randn(n_out, n_in)).astype(np.float32)
        parameters[f"b{layer}"] = (0.1 * rng.randn(n_out, 1)).astype(np.float32)
    return X, parameters


def normalize_input():
    """One uint8 (64, 64, 3) image, every pixel value present."""
    return np.random.RandomState(4).randint(0, 256, (64, 64, 3)).astype(np.uint8)


def loss_test1_labels():
    """The one-hot columns of the first two training labels (5 and 0): float32 (6, 2)."""
    labels = np.zeros((6, len(E.TF2_LOSS_TEST1_CLASSES)), dtype=np.float32)
    for column, label in enumerate(E.TF2_LOSS_TEST1_CLASSES):
        labels[label, column] = 1.0
    return labels


# ---------------------------------------------------------------------------
# Numpy building blocks for the known mistakes


def _log_softmax(z, axis):
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def softmax_cross_entropy(logits, labels, axis=0):
    """Per-example softmax cross-entropy with the classes along `axis` (0: columns are examples)."""
    return -(np.asarray(labels, dtype=np.float64) * _log_softmax(logits, axis)).sum(axis=axis)


def cross_entropy_of_probabilities(logits, labels, axis=0):
    """What Keras' categorical_crossentropy gives without from_logits: the "probabilities" rescaled to sum 1, clipped."""
    p = np.asarray(logits, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows of logits that sum to 0: Keras gives nan too
        p = p / p.sum(axis=axis, keepdims=True)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(np.asarray(labels, dtype=np.float64) * np.log(p)).sum(axis=axis)


def _loss_variants(logits, labels, edition):
    """{label: value} of the known wrong losses on (logits, labels) (6, m) columns."""
    rows = softmax_cross_entropy(logits, labels, axis=1)  # without the transposes: rows taken as examples
    columns = softmax_cross_entropy(logits, labels, axis=0)
    no_logits = cross_entropy_of_probabilities(logits, labels, axis=0)
    if edition == "tf2":
        return {
            "no transposes": float(rows.sum()),
            "mean for sum": float(columns.mean()),
            "no from_logits": float(no_logits.sum()),
            "no from_logits, mean": float(no_logits.mean()),
        }
    return {
        "no transposes": float(rows.mean()),
        "sum for mean": float(columns.sum()),
        "no from_logits": float(no_logits.mean()),
    }


def _forward_variants(X, parameters):
    p = {name: np.asarray(value, dtype=np.float64) for name, value in parameters.items()}
    X = np.asarray(X, dtype=np.float64)

    def forward(relu1=True, relu2=True):
        A1 = p["W1"] @ X + p["b1"]
        A1 = np.maximum(A1, 0) if relu1 else A1
        A2 = p["W2"] @ A1 + p["b2"]
        A2 = np.maximum(A2, 0) if relu2 else A2
        return p["W3"] @ A2 + p["b3"]

    Z3 = forward()
    softmax = np.exp(_log_softmax(Z3, axis=0))
    return {
        "a ReLU after Z3": np.maximum(Z3, 0),
        "a softmax after Z3": softmax,
        "no ReLU after Z1": forward(relu1=False),
        "no ReLU after Z2": forward(relu2=False),
        "no ReLU at all": forward(False, False),
    }


def _linear_function_drawn(order):
    """Y = WX + b when X, W, b are drawn in `order` after np.random.seed(1)."""
    shapes = {"X": (3, 1), "W": (4, 3), "b": (4, 1)}
    rng = np.random.RandomState(1)  # the same stream as np.random.seed(1)
    drawn = {name: rng.randn(*shapes[name]) for name in order}
    return drawn["W"] @ drawn["X"] + drawn["b"]


# ---------------------------------------------------------------------------
# The data model() is graded on


# The data model() is graded on: graders.assignments.signs_data (GradingData, load_grading_data), shared by both assignments.


# ---------------------------------------------------------------------------
# Reference runs (TensorFlow, in this process)


def reference_functions(edition):
    """tfsigns.tf2's values on the grader's inputs: {name: array} (what the cache holds)."""
    from tfsigns import tf2

    tf = tf2.tf
    arrays = {}
    for name, variable in tf2.initialize_parameters().items():
        arrays[f"init_{name}"] = variable.numpy()
    X, parameters = forward_inputs()
    variables = {name: tf.Variable(value) for name, value in parameters.items()}
    arrays["forward_Z3"] = tf2.forward_propagation(tf.constant(X), variables).numpy()
    arrays["normalize"] = tf2.normalize(tf.constant(normalize_input()), edition=edition).numpy()
    return arrays


FUNCTION_NAMES = tuple([f"init_{name}" for name in PARAMETER_NAMES] + ["forward_Z3", "normalize"])


def reference_model(data, edition):
    """tfsigns.tf2's model() for MODEL_EPOCHS epochs on `data`: {"epoch_costs": float64 (MODEL_EPOCHS,)}."""
    from tfsigns import tf2

    tf = tf2.tf
    image = lambda x: tf2.normalize(x, edition=edition)  # noqa: E731
    label = lambda y: tf2.one_hot_matrix(y, tf2.N_CLASSES, edition=edition)  # noqa: E731
    datasets = (
        tf.data.Dataset.from_tensor_slices(data.train_x).map(image),
        tf.data.Dataset.from_tensor_slices(data.train_y.reshape(-1)).map(label),
        tf.data.Dataset.from_tensor_slices(data.test_x).map(image),
        tf.data.Dataset.from_tensor_slices(data.test_y.reshape(-1)).map(label),
    )
    result = tf2.train(*datasets, num_epochs=MODEL_EPOCHS, print_cost=False, edition=edition)
    return {"epoch_costs": np.asarray(result.epoch_costs, dtype=np.float64)}


MODEL_NAMES = ("epoch_costs",)


def _reference_digest():
    """sha256 of the TF2 reference's source: a changed reference never reads an old cache."""
    from pathlib import Path

    import tfsigns

    return hashlib.sha256((Path(tfsigns.__file__).parent / "tf2.py").read_bytes()).hexdigest()[:16]


def _cache_path(kind, key):
    return answer_cache.cache_path(kind, dict(key, answers=ANSWERS_VERSION, reference=_reference_digest()))


# ---------------------------------------------------------------------------
# The answer key


class AnswerKey(answer_cache.CachedAnswerKey):
    """Inputs and expected values for one TF2 edition and one data set.

    `start()` computes (or reads) the reference values in a background thread;
    grading waits (`wait()`) before any of a submission's code runs.

    Args:
        edition: "tf2", "tf2-mean" or "tf2-early".
        data: a `GradingData`, or None when model() is not graded.
        need_functions: whether the TensorFlow-computed values of the functions are needed.
    """

    thread_name = "tf2-answer-key"

    def __init__(self, edition, data=None, need_functions=True):
        super().__init__()
        self.edition = edition
        self.data = data
        self.need_functions = need_functions
        self._functions = None
        self._model = None

    def _prepare(self):
        if self.need_functions:
            self._functions = self._cached(
                _cache_path("tf2-functions", {"edition": self.edition}), FUNCTION_NAMES, lambda: reference_functions(self.edition)
            )
        if self.data is not None:
            key = {"data": self.data.fingerprint, "edition": self.edition, "epochs": MODEL_EPOCHS}
            self._model = self._cached(_cache_path("tf2-model", key), MODEL_NAMES, lambda: reference_model(self.data, self.edition))

    # -- inputs ------------------------------------------------------------

    def inputs(self, name):
        """The arguments the grader passes for call `name` (numpy arrays, numbers, lists, strings)."""
        early = self.edition == "tf2-early"
        if name in ("linear_function", "initialize_parameters"):
            return []
        if name.startswith("sigmoid("):
            return [int(name[len("sigmoid("):-1])]
        if name == "one_hot_matrix:test1":
            label, C, _ = E.TF2_ONE_HOT_CASES[0]
            return [label, C]
        if name == "one_hot_matrix:test2":
            label, C, _ = self._one_hot_case2()
            return [list(label), C]
        if name == "forward_propagation":
            return list(forward_inputs())
        if name == "loss:test1":
            if early:
                return [E.TF2_EARLY_COST_LOGITS.copy(), E.TF2_EARLY_COST_LABELS.copy(), "numpy"]
            return [E.TF2_LOSS_TEST1_LOGITS.astype(np.float32), loss_test1_labels(), "float32"]
        if name == "loss:test2":
            return [E.TF2_TOTAL_LOSS_LOGITS.astype(np.float32), E.TF2_TOTAL_LOSS_LABELS.astype(np.float32), "float32"]
        if name == "normalize":
            return [normalize_input()]
        if name == "model":
            d = self.data
            return [d.train_x, d.train_y, d.test_x, d.test_y, MODEL_EPOCHS, self.edition]
        raise KeyError(name)

    def _one_hot_case2(self):
        """Test 2: label [2] with C = 5 (the tf2 family's v2.1+ test), C = 4 in the mean family (the early one has none)."""
        return E.TF2_ONE_HOT_CASES[2] if self.edition == "tf2" else E.TF2_ONE_HOT_CASES[1]

    # -- answers -----------------------------------------------------------

    def answer(self, key):
        """The `Answer` for one check's `expect` key."""
        method = getattr(self, "_answer_" + key.replace(":", "_").replace("(", "_").replace(")", "").replace("-", "minus_"))
        return method()

    def _answer_linear_function(self):
        orders = [order for order in itertools.permutations("XWb") if order != ("X", "W", "b")]
        variants = {"drawn in the order " + ", ".join(order): _linear_function_drawn(order) for order in orders}
        return _published(E.TF2_LINEAR_FUNCTION, variants)

    def _answer_sigmoid_0(self):
        return _published(E.TF2_SIGMOID_0)

    def _answer_sigmoid_minus_1(self):
        return _published(E.TF2_SIGMOID_MINUS_1)

    def _answer_sigmoid_12(self):
        return _published(E.TF2_SIGMOID_12)

    def _one_hot(self, case):
        """A (C,) vector, and the (C, 1) column as the known wrong shape (the early template's Test 1 is its own)."""
        _, _, expected = case
        return _published(expected, {"a column": np.asarray(expected.value).reshape(-1, 1)})

    def _answer_one_hot_matrix_test1(self):
        if self.edition == "tf2-early":
            return _published(E.TF2_EARLY_ONE_HOT_CASES[0][2], {"a vector": E.TF2_ONE_HOT_CASES[0][2].value})
        return self._one_hot(E.TF2_ONE_HOT_CASES[0])

    def _answer_one_hot_matrix_test2(self):
        return self._one_hot(self._one_hot_case2())

    def _answer_initialize_parameters_shapes(self):
        return Answer({name: tuple(shape) for name, shape in E.PARAMETER_SHAPES.items()}, source=E.TF2_NOTEBOOK)

    def _answer_initialize_parameters_statistics(self):
        return Answer({"max_abs_mean": E.TF2_INIT_MAX_ABS_MEAN, "std_range": E.TF2_INIT_STD_RANGE}, source=E.TF2_NOTEBOOK)

    def _answer_initialize_parameters_values(self):
        self.wait()
        return Answer({name: self._functions[f"init_{name}"] for name in PARAMETER_NAMES})

    def _answer_forward_propagation(self):
        self.wait()
        X, parameters = forward_inputs()
        return Answer(self._functions["forward_Z3"], variants=_forward_variants(X, parameters))

    def _answer_forward_propagation_gradients(self):
        return Answer(list(PARAMETER_NAMES), source=E.TF2_NOTEBOOK)

    def _answer_loss_test1(self):
        if self.edition == "tf2-early":
            return _published(E.TF2_EARLY_COMPUTE_COST)
        logits, labels = E.TF2_LOSS_TEST1_LOGITS, loss_test1_labels()
        expected = E.TF2_TOTAL_LOSS_TEST1 if self.edition == "tf2" else E.TF2_MEAN_COST_TEST1
        return _published(expected, _loss_variants(logits, labels, self.edition))

    def _answer_loss_test2(self):
        variants = _loss_variants(E.TF2_TOTAL_LOSS_LOGITS, E.TF2_TOTAL_LOSS_LABELS, "tf2")
        return _published(E.TF2_COMPUTE_TOTAL_LOSS, variants)

    def _answer_normalize(self):
        self.wait()
        image = normalize_input().astype(np.float32)
        other = "tf2" if self.edition == "tf2-early" else "tf2-early"
        divisor = {"tf2-early": np.float32(256.0)}.get(other, np.float32(255.0))
        shape = self._functions["normalize"].shape
        variants = {f"divided by {int(divisor)}": (image / divisor).reshape(shape)}
        return Answer(self._functions["normalize"], variants=variants)

    def _answer_model_cost_0(self):
        return self._model_cost(0)

    def _answer_model_cost_10(self):
        return self._model_cost(10)

    def _model_cost(self, epoch):
        self.wait()
        # The published runs' tolerance for this family and epoch: the printed digit at epoch 0, looser later.
        atol = E.TF2_EPOCH_COSTS[self.edition][epoch].atol
        return Answer(float(self._model["epoch_costs"][epoch]), atol=atol, rtol=0.0)
