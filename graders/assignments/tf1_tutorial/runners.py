"""The TF1 assignment's child side: how the sandboxed child prepares TensorFlow and calls each graded function.

Imported inside the sandbox by `graders.child` (the setup frame names the
assignment); imports no tfsigns reference. `prepare(tf)` puts TensorFlow in
TF1 graph mode (`disable_v2_behavior`) before the submission loads;
`builtins_for_submission()` serves it the TF1 names (`compat`).

Each runner calls the graded function the way the notebook's test cells did,
in a fresh default graph (where the top-level TensorFlow objects the function
reads, `init = tf.global_variables_initializer()` say, are made again first:
`loaded()`, `compat.graph_globals`):

- value: `function(*args)` must give a value (array or number);
- placeholders: `create_placeholders(12288, 6)` gives two tensors, described;
- variables: `initialize_parameters()` gives a dict of variables, run after
  `global_variables_initializer()`;
- forward: `forward_propagation(X, parameters)` with a float32 placeholder X
  (12288, None) fed the parent's input, parameters as float32 constants;
- cost_graph: `compute_cost(Z3, Y)` with placeholders (6, None) fed the
  parent's Z3 and Y;
- model: `model(X_train, Y_train, X_test, Y_test, num_epochs=N)` on the data
  the parent passed, preprocessed as the notebook did; the printed
  "Cost after epoch %i: %f" lines are collected.

`values` is a `graders.child.Values`.
"""
from tfsigns._tf import import_tensorflow as _tf

REGULARIZATION_KEY = "~regularization_losses"  # model()'s reply: how many penalties its graph holds (no dict key of a learner's)


def prepare(tf):
    """Before the submission loads: TF1 graph mode, and the compatibility layer imported (its import needs memory)."""
    tf.compat.v1.disable_v2_behavior()
    from graders.assignments.tf1_tutorial import compat  # noqa: F401
    from graders.assignments.tf1_tutorial.compat import tf_utils  # noqa: F401


def builtins_for_submission():
    """The submission's `__builtins__`: `import tensorflow` gives TF1's names, `import tf_utils` the course's helpers."""
    from graders.assignments.tf1_tutorial import compat

    return compat.builtins_for_submission()


def loaded(program, namespace):
    """After the submission loaded (graders.child): every graded call gets the top-level TensorFlow objects it reads.

    program: the graders.submission.Program that was loaded; namespace: its globals.
    Returns the wrapper `function -> function` that makes those objects again in the call's graph.
    """
    from graders.assignments.tf1_tutorial.compat.graph_globals import GraphGlobals

    return GraphGlobals(program, namespace).wrap


def reference_functions(edition):
    """{name: function} of tfsigns' reference (the bundled reference only: never in the sandbox); model() follows `edition`."""
    from tfsigns import GRADED_FUNCTIONS, assignment

    functions = {name: getattr(assignment, name) for name in GRADED_FUNCTIONS}

    def model(*args, **kwargs):
        kwargs.setdefault("edition", edition)
        return assignment.model(*args, **kwargs)

    functions["model"] = model
    return functions


def _fresh_graph():
    _tf().compat.v1.reset_default_graph()


def run_value(function, args, values):
    _fresh_graph()
    values.add("value", function(*args))


def run_placeholders(function, args, values):
    _fresh_graph()
    result = function(*args)
    if isinstance(result, (tuple, list)) and len(result) == 2:
        values.describe("X", result[0])
        values.describe("Y", result[1])
    else:
        values.describe("result", result)


def run_variables(function, args, values):
    _fresh_graph()
    v1 = _tf().compat.v1
    result = function(*args)
    if not isinstance(result, dict):
        values.describe("result", result)
        return
    values.items["keys"] = {"kind": "keys", "keys": sorted(str(key) for key in result)[:50]}
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        for key, value in result.items():
            if isinstance(key, str) and len(key) <= 20:
                values.add(key, value, session=session)


def run_forward(function, args, values):
    tf = _tf()
    v1 = tf.compat.v1
    X_value, parameters = args
    _fresh_graph()
    X = v1.placeholder(tf.float32, shape=[X_value.shape[0], None], name="X")
    constants = {name: tf.constant(value, dtype=tf.float32, name=name) for name, value in parameters.items()}
    Z3 = function(X, constants)
    _evaluate(Z3, {X: X_value}, values)


def run_cost_graph(function, args, values):
    tf = _tf()
    v1 = tf.compat.v1
    Z3_value, Y_value = args
    _fresh_graph()
    Z3 = v1.placeholder(tf.float32, shape=[Z3_value.shape[0], None], name="Z3")
    Y = v1.placeholder(tf.float32, shape=[Y_value.shape[0], None], name="Y")
    cost = function(Z3, Y)
    _evaluate(cost, {Z3: Z3_value, Y: Y_value}, values)


def _evaluate(tensor, feed, values):
    tf = _tf()
    v1 = tf.compat.v1
    values.describe("tensor", tensor)
    if values.items["tensor"]["kind"] not in ("tensor", "variable"):
        values.add("value", tensor)  # an array computed some other way is still a value
        return
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        values.add("value", session.run(tensor, feed_dict=feed))


def run_model(function, args, values):
    from tfsigns.tf_utils import convert_to_one_hot

    train_x, train_y, test_x, test_y, num_epochs = args
    # The notebook's preprocessing, byte for byte: flatten, transpose, /255.; one-hot.
    X_train = train_x.reshape(train_x.shape[0], -1).T / 255.0
    X_test = test_x.reshape(test_x.shape[0], -1).T / 255.0
    Y_train = convert_to_one_hot(train_y, 6)
    Y_test = convert_to_one_hot(test_y, 6)
    _fresh_graph()
    result = function(X_train, Y_train, X_test, Y_test, num_epochs=int(num_epochs))
    # For a hint only (no points): the penalties tf.get_variable(regularizer=...) filed in the graph model() left.
    values.add(REGULARIZATION_KEY, len(_tf().compat.v1.get_collection(_tf().compat.v1.GraphKeys.REGULARIZATION_LOSSES)))
    if not isinstance(result, dict):
        values.describe("result", result)
        return
    values.items["keys"] = {"kind": "keys", "keys": sorted(str(key) for key in result)[:50]}
    for key, value in result.items():
        if isinstance(key, str) and len(key) <= 20:
            values.add(key, value)


RUNNERS = {
    "value": run_value,
    "placeholders": run_placeholders,
    "variables": run_variables,
    "forward": run_forward,
    "cost_graph": run_cost_graph,
    "model": run_model,
}
