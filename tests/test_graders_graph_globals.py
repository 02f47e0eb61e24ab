"""Top-level graph objects re-created in each call's graph (graders/assignments/tf1_tutorial/compat/graph_globals.py), in-process.

The child's own path (a notebook whose small functions run `sess.run(init)`)
is the golden fixture learners/ok_global_init.ipynb.
"""
import types

import numpy as np
import pytest

from graders.assignments.tf1_tutorial import compat
from graders.assignments.tf1_tutorial.compat.graph_globals import GraphGlobals
from graders.submission import Program, Unit, run_program
from tfsigns._tf import import_tensorflow

tf = import_tensorflow()

FIRST_CELLS = """
import numpy as np
import tensorflow as tf
from tf_utils import load_dataset
y_hat = tf.constant(36, name='y_hat')
y = tf.constant(39, name='y')
loss = tf.Variable((y - y_hat)**2, name='loss')
init = tf.global_variables_initializer()
with tf.Session() as session:
    session.run(init)
a = tf.constant(2)
b = tf.constant(10)
c = tf.multiply(a, b)
d = a * b
sess = tf.Session()
print(sess.run(c))
x = tf.placeholder(tf.int64, name='x')
xavier = tf.contrib.layers.xavier_initializer(seed=1)
X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = load_dataset()
parameters = model(X_train_orig, Y_train_orig)
two = sess.run(c)
noise = tf.constant(np.random.randn(3, 1))
adam = tf.train.AdamOptimizer(0.01).minimize(loss)
squares = tf.stack([tf.constant(i) for i in range(3)])
sess.close()
"""

FUNCTIONS = """
def loss_value():
    with tf.Session() as session:
        session.run(init)
        return session.run(loss), session.run(c), session.run(d), session.run(2 * x, feed_dict={x: 3})

def uses_global_session():
    return sess.run(c)

def helper():
    return init

def through_a_helper():
    with tf.Session() as session:
        session.run(helper())
        return session.run(loss)

def initializer_only():
    W = tf.get_variable("W", [6, 12], initializer=xavier)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        return session.run(W)

def reads_no_global():
    with tf.Session() as session:
        return session.run(tf.ones([3]))
"""


def _load(*sources):
    units = tuple(Unit(f"code cell {i}", f"<code cell {i}>", source) for i, source in enumerate(sources, start=1))
    program = Program("ipynb", units)
    namespace = {"__name__": "__submission__", "__builtins__": compat.builtins_for_submission()}
    errors = []
    run_program(program, namespace, lambda where, error: errors.append(where))
    return GraphGlobals(program, namespace), namespace


def _names(plan):
    return [sorted(statement.names) for statement in plan]


WANTED = [["y_hat"], ["y"], ["loss"], ["init"], ["a"], ["b"], ["c"], ["d"], ["sess"], ["x"], ["xavier"]]


def test_only_tensorflow_built_values_are_planned_and_only_for_functions_that_read_them():
    graph_globals, namespace = _load(FIRST_CELLS, FUNCTIONS)
    # load_dataset(), model(...), sess.run(c), np.random, a call on a call's result and a comprehension stay out.
    assert _names(graph_globals.plan(namespace["loss_value"])) == WANTED
    assert _names(graph_globals.plan(namespace["through_a_helper"])) == WANTED  # through helper(), a top-level function
    assert graph_globals.plan(namespace["reads_no_global"]) == []
    assert graph_globals.wrap(namespace["reads_no_global"]) is namespace["reads_no_global"]
    assert "init" not in namespace and "sess" not in namespace  # nothing of it ran at load


def test_the_statements_run_again_in_the_calls_graph_and_are_undone_after():
    graph_globals, namespace = _load(FIRST_CELLS, FUNCTIONS)
    for _ in range(2):  # each call in a graph of its own, as the child's runners make
        with tf.Graph().as_default() as graph:
            loss, c, d, doubled = graph_globals.wrap(namespace["loss_value"])()
            assert [op.name for op in graph.get_operations() if op.name in ("y_hat", "y", "loss", "x")] == ["y_hat", "y", "loss", "x"]
        assert (loss, c, d, doubled) == (9, 20, 20, 6)
        assert not {"init", "loss", "sess", "x"} & set(namespace)
    with tf.Graph().as_default():
        assert graph_globals.wrap(namespace["through_a_helper"])() == 9
    with tf.Graph().as_default():
        assert graph_globals.wrap(namespace["uses_global_session"])() == 20  # the session of this graph
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(1)
        W = graph_globals.wrap(namespace["initializer_only"])()
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(1)
        want = tf.compat.v1.get_variable("W", [6, 12], initializer=tf.compat.v1.glorot_uniform_initializer(seed=1))
        with tf.compat.v1.Session() as session:
            session.run(want.initializer)
            np.testing.assert_array_equal(W, session.run(want))


def test_the_sessions_it_opens_are_closed_after_the_call():
    graph_globals, namespace = _load(FIRST_CELLS, "def keep_session():\n    return sess\n")
    with tf.Graph().as_default():
        session = graph_globals.wrap(namespace["keep_session"])()
    assert session._closed


def test_later_definitions_before_the_function_shadow_and_functions_are_never_rebound():
    graph_globals, namespace = _load(
        "import tensorflow as tf\ninit = tf.global_variables_initializer()\nones = tf.ones([2])\n",
        "init = None\ndef ones(shape):\n    return init, shape\n",
        "twos = tf.fill([2], 2.0)\ndef after():\n    return zeros, twos\nzeros = tf.zeros([2])\n",
    )
    plan = graph_globals.plan(namespace["ones"])
    assert _names(plan) == [["ones"]]  # init is shadowed by `init = None`; `ones` is the function itself
    with tf.Graph().as_default():
        assert graph_globals.wrap(namespace["ones"])([3]) == (None, [3])
    assert callable(namespace["ones"])
    # Only statements before the function's definition count (`zeros` comes after it), and
    # the function `ones` defined in between shadows the statement `ones = tf.ones([2])`.
    assert _names(graph_globals.plan(namespace["after"])) == [["twos"]]


def test_a_failing_statement_leaves_its_name_unbound():
    graph_globals, namespace = _load(
        "import tensorflow as tf\nbroken = tf.constant(undefined_name)\nfine = tf.constant(4.0)\npair, bad = tf.constant([1, 2])\n",
        "def reads():\n    return fine, globals().get('broken'), globals().get('pair')\n",
    )
    with tf.Graph().as_default():
        fine, broken, pair = graph_globals.wrap(namespace["reads"])()
    assert isinstance(fine, tf.Tensor) and broken is None and pair is None


def test_a_hostile_top_level_gains_nothing():
    """Only calls rooted at TensorFlow modules run, inside the graded call; what they raise is not swallowed."""
    ran = []
    fake_os = types.ModuleType("os")
    fake_os.system = lambda command: ran.append(command) or tf.constant(0)

    class Escape(BaseException):
        pass

    def escape():
        raise Escape()

    fake_tf = types.ModuleType("tensorflow")  # what a timeout (a BaseException) looks like from inside a statement
    fake_tf.escape = escape
    graph_globals, namespace = _load(
        "pwned = os.system('touch /tmp/pwned')\nstuck = tensorflow.escape()\n",
        "def reads():\n    return pwned, stuck\n",
    )
    namespace.update(os=fake_os, tensorflow=fake_tf)
    assert _names(graph_globals.plan(namespace["reads"])) == [["stuck"]]
    with tf.Graph().as_default(), pytest.raises(Escape):
        graph_globals.wrap(namespace["reads"])()
    assert ran == []  # os.system is not TensorFlow: never called
    assert "stuck" not in namespace and "pwned" not in namespace


HOSTILE_TOP_LEVEL = '''
import numpy as np
import tensorflow as tf


def linear_function():
    np.random.seed(1)
    X, W, b = np.random.randn(3, 1), np.random.randn(4, 3), np.random.randn(4, 1)
    return W @ X + b


huge = tf.constant([0.5] * 10 ** 10)  # 80 GB of list: MemoryError under the child's limit


def sigmoid(z):
    with tf.Session() as session:
        return session.run(tf.sigmoid(huge))


forever = tf.constant(10 ** 10 ** 8)  # minutes of one C-level power: the timer cannot interrupt it


def ones(shape):
    with tf.Session() as session:
        return session.run(forever)
'''


def test_top_level_statements_made_again_run_under_the_calls_limits(tmp_path):
    """Through the real child: the memory limit stops `huge` (the name stays unbound), the call's time limit `forever`."""
    from graders import grading

    submission = tmp_path / "hostile_top_level.py"
    submission.write_text(HOSTILE_TOP_LEVEL, encoding="utf-8")
    results = grading.grade(str(submission), grading.Options(only=("linear_function", "sigmoid", "ones"), timeout=3))
    reasons = {check.name: (check.passed, check.reason) for check in results.checks}
    assert reasons["linear_function: Y = WX + b"] == (True, "")
    assert reasons["sigmoid: sigmoid(0)"] == (False, "raised NameError at line 17: name 'huge' is not defined")
    assert reasons["ones: ones([3])"][0] is False
    assert reasons["ones: ones([3])"][1].startswith("did not finish within 3 s (the time limit)"), reasons
