"""Unit tests of the grader's parts: reading submissions, the compatibility layer,
the staged comparison, the checks table against the answer key, the channel's
checks on what a child writes, and the command line's bad-input paths."""
import json
from dataclasses import replace

import numpy as np
import pytest

from graders import cli, compare, notebook, results, sandbox
from graders.assignments.tf1_tutorial import checks
from graders.assignments.tf1_tutorial.answers import AnswerKey
from graders.submission import Program, Unit, kept_statements, read_program, run_program
from tfsigns import expected as E

# ---------------------------------------------------------------------------
# Reading a submission


def _notebook(*sources):
    cells = [{"cell_type": "markdown", "source": ["# title\n"]}]
    cells += [{"cell_type": "code", "source": source, "outputs": []} for source in sources]
    return json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 2})


def test_notebook_blanks_ipython_lines_and_keeps_line_numbers():
    cells = notebook.read_code_cells(_notebook(["%matplotlib inline\n", "!pip install h5py\n", "x = 1\n"], "%%time\ny = 2\n"))
    assert cells == [(1, "\n\nx = 1\n"), (2, "\n\n")]


def test_notebook_that_is_not_json_does_not_load(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    program = read_program(path)
    assert program.fatal == "not a notebook: invalid JSON at line 1"


def test_only_definitions_run_from_top_level_code():
    import ast

    source = """
import numpy as np
from tf_utils import load_dataset
C = 6
v1 = np.random
X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = load_dataset()
parameters = model(X_train, Y_train, X_test, Y_test)
plt.show()
try:
    from scipy.misc import imread
except ImportError:
    imread = None
    print("no imread")
if __name__ == "__main__":
    main()
with open("x") as f:
    pass
def model(X_train, Y_train):
    return X_train
class Helper:
    pass
"""
    kept = kept_statements(ast.parse(source).body)
    assert [type(node).__name__ for node in kept] == ["Import", "ImportFrom", "Assign", "Assign", "Try", "FunctionDef", "ClassDef"]
    handler = kept[4].handlers[0]
    assert [type(node).__name__ for node in handler.body] == ["Assign"]


def test_a_failing_statement_costs_only_itself_and_the_graded_cell_wins():
    units = (
        Unit("code cell 1", "<code cell 1>", "import no_such_module\ndef sigmoid(z):\n    return 'from cell 1'\n", "sigmoid"),
        Unit("code cell 2", "<code cell 2>", "def sigmoid(z):\n    return 'a test cell redefines it'\ndef ones(shape):\n    return 1\n"),
    )
    namespace, errors = {}, []
    run_program(Program("ipynb", units), namespace, lambda where, error: errors.append((where, type(error).__name__)))
    assert errors == [("code cell 1, line 1", "ModuleNotFoundError")]
    assert namespace["sigmoid"](0) == "from cell 1"
    assert namespace["ones"]([3]) == 1


def test_a_py_file_with_a_syntax_error_does_not_load(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def sigmoid(z):\n    return (z\n", encoding="utf-8")
    assert read_program(path).fatal == "line 2: SyntaxError: '(' was never closed"


# ---------------------------------------------------------------------------
# The TF1 compatibility layer


def test_tf1_names_come_from_compat_v1_and_contrib_xavier_is_the_tf1_stream():
    from graders.assignments.tf1_tutorial import compat
    from tfsigns._tf import import_tensorflow

    tf = import_tensorflow()
    tf1 = compat.builtins_for_submission()["__import__"]("tensorflow")
    assert tf1.placeholder is tf.compat.v1.placeholder
    assert tf1.Session is tf.compat.v1.Session
    assert tf1.train.AdamOptimizer is tf.compat.v1.train.AdamOptimizer
    assert tf1.compat is tf.compat
    # The published course-4 check, through tf.contrib.layers.xavier_initializer.
    with tf.Graph().as_default():
        tf1.set_random_seed(1)
        W1 = tf1.get_variable("W1", [4, 4, 3, 8], initializer=tf1.contrib.layers.xavier_initializer(seed=0))
        W2 = tf1.get_variable("W2", [2, 2, 8, 16], initializer=tf1.contrib.layers.xavier_initializer(seed=0))
        with tf1.Session() as session:
            session.run(tf1.global_variables_initializer())
            W1_value, W2_value = session.run([W1, W2])
    np.testing.assert_allclose(W1_value[1, 1, 1], E.XAVIER_COURSE4_W1.value, rtol=E.XAVIER_COURSE4_W1.rtol, atol=E.XAVIER_COURSE4_W1.atol)
    np.testing.assert_allclose(W2_value[1, 1, 1], E.XAVIER_COURSE4_W2.value, rtol=E.XAVIER_COURSE4_W2.rtol, atol=E.XAVIER_COURSE4_W2.atol)


def test_removed_contrib_names_say_so():
    from graders.assignments.tf1_tutorial import compat

    tf1 = compat.tf1_module()
    with pytest.raises(AttributeError, match="tensorflow.contrib.layers.conv2d was removed in TensorFlow 2"):
        tf1.contrib.layers.conv2d


def test_submission_imports_of_tf_utils_and_compat_v1():
    from graders.assignments.tf1_tutorial import compat
    from graders.assignments.tf1_tutorial.compat import tf_utils
    from tfsigns._tf import import_tensorflow

    submission_import = compat.builtins_for_submission()["__import__"]
    assert submission_import("tf_utils") is tf_utils
    # `import tensorflow.compat.v1 as tf` walks attributes from the returned top package.
    assert submission_import("tensorflow.compat.v1").compat.v1 is import_tensorflow().compat.v1


# ---------------------------------------------------------------------------
# Staged comparison


def test_staged_messages_name_what_was_expected_and_received():
    assert compare.array_verdict(np.zeros((6, 4)), np.zeros((4, 6)), 0, 0).reason == "wrong shape: got (6, 4), want (4, 6)"
    assert compare.array_verdict(np.array([1.0, 2.0]), np.array([1.0, 2.5]), 0, 1e-7).reason == (
        "wrong values: got [1, 2], want [1, 2.5] (tolerance atol 1e-07)"
    )
    assert compare.array_verdict(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 5e-8]), 0, 1e-7).passed
    tensor = {"kind": "tensor", "name": "Sigmoid:0"}
    assert compare.type_failure(tensor) == (
        "wrong type: got a tf.Tensor (Sigmoid:0), want a numpy array "
        "(run it in a session and return the value: result = sess.run(...))"
    )
    assert compare.type_failure({"kind": "other", "type": "NoneType"}) == "wrong type: got None, want a numpy array"


def test_nan_never_passes():
    assert not compare.array_verdict(np.array([np.nan]), np.array([0.5]), 0, 1.0).passed


def test_a_known_mistake_is_recognised_by_its_value():
    want = E.ONE_HOT_MATRIX.value
    verdict = compare.array_verdict(want.T, want, 0, 0, {"transposed": want.T})
    assert (verdict.passed, verdict.variant) == (False, "transposed")


def test_placeholder_checks_op_dtype_and_shape_whatever_its_name():
    want = {"shape": [12288, None], "dtype": "float32"}
    variants = {"examples in rows": {"shape": [None, 12288]}, "a fixed number of examples": {"shape": [12288, "fixed"]}}
    good = {"kind": "tensor", "op": "Placeholder", "dtype": "float32", "shape": [12288, None], "name": "X:0"}
    assert compare.placeholder_verdict(good, want, variants).passed
    for name in ("Placeholder:0", "Placeholder_1:0", "X_input:0", ""):  # the notebook: "not necessarily Placeholder_1"
        assert compare.placeholder_verdict(dict(good, name=name), want, variants) == compare.PASSED
    rows = dict(good, shape=[None, 12288])
    assert compare.placeholder_verdict(rows, want, variants) == compare.Verdict(
        False, "wrong shape: got (None, 12288), want (12288, None)", "examples in rows"
    )
    assert compare.placeholder_verdict(dict(good, shape=[12288, 1080]), want, variants).variant == "a fixed number of examples"
    assert compare.placeholder_verdict(dict(good, dtype="float64"), want, variants).reason == "wrong dtype: got float64, want float32"
    assert compare.placeholder_verdict(dict(good, op="Const"), want, variants).reason == "wrong type: got a tf.Tensor (X:0), want a tf.placeholder"


# ---------------------------------------------------------------------------
# The checks table and the answer key


def test_table_names_begin_with_the_graded_function_and_total_100():
    for check in checks.CHECKS:
        assert check.name.startswith(check.function + ": ")
        assert check.call in checks.CALLS and checks.CALLS[check.call].function == check.function
    assert checks.MAX_SCORE == 100
    assert len({check.name for check in checks.CHECKS}) == len(checks.CHECKS)


@pytest.fixture(scope="module")
def answer_key(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:  # the cache conftest gives every test, also for this module fixture
        patch.setenv("TFSIGNS_CACHE", str(tmp_path_factory.getbasetemp() / "tfsigns-cache"))
        key = AnswerKey("v3", data=None).start()
        key.wait()
    return key


@pytest.mark.parametrize("check", [c for c in checks.CHECKS if c.function != "model"], ids=lambda c: c.name)
def test_every_hint_has_a_mistake_the_answer_key_computes_and_tells_apart(answer_key, check):
    from graders.checks import tolerance

    answer = answer_key.answer(check.expect)
    for prefix, _ in check.hints:
        assert any(label.startswith(prefix) for label in answer.variants), prefix
    if check.compare not in ("array", "parameters"):
        return
    rtol, atol = tolerance(check, answer)
    for label, value in answer.variants.items():
        if isinstance(value, dict):
            assert not all(compare.close(value[k], answer.value[k], rtol, atol) for k in value), label
        else:
            assert not compare.close(value, answer.value, rtol, atol), label


def test_published_values_are_used_where_published(answer_key):
    assert answer_key.answer("linear_function").value is E.LINEAR_FUNCTION.value
    assert answer_key.answer("cost").value is E.COST["v3"].value
    assert AnswerKey("v3b").answer("cost").value is E.COST["v3b"].value


def test_reference_values_of_the_graph_functions_are_the_references(answer_key):
    from tfsigns.tf_utils import forward_propagation_for_predict

    from graders.assignments.tf1_tutorial.answers import forward_inputs

    X, parameters = forward_inputs()
    np.testing.assert_allclose(answer_key.answer("forward_propagation").value, forward_propagation_for_predict(X, parameters), rtol=1e-5, atol=1e-5)
    values = answer_key.answer("initialize_parameters:values").value
    assert {name: value.shape for name, value in values.items()} == E.PARAMETER_SHAPES
    assert not values["b1"].any() and 0 < np.abs(values["W1"]).max() <= np.sqrt(6 / (25 + 12288))


def test_official_data_uses_the_published_epoch_costs(tmp_path):
    from test_graders_golden import write_small_data

    from graders.assignments.signs_data import load_grading_data

    data = load_grading_data(write_small_data(tmp_path / "data", n_train=64, n_test=12))
    official = AnswerKey("v3", replace(data, official=True), need_functions=False)
    answer = official.answer("model:cost@100")
    assert (answer.value, answer.atol) == (E.EPOCH_COSTS["v3"][100].value, E.EPOCH_COSTS["v3"][100].atol)
    assert answer.variants["edition v3b"] == E.EPOCH_COSTS["v3b"][100].value
    own = AnswerKey("v3", data, need_functions=False).answer("model:cost@100")
    assert own.value != E.EPOCH_COSTS["v3"][100].value and own.source != E.EPOCH_COSTS["v3"][100].source


# ---------------------------------------------------------------------------
# What the child says is checked before it is believed (its frames: tests/test_channel.py)


def test_replies_are_type_checked():
    items = sandbox._clean_items({"value": {"kind": "array", "shape": [3, "x"], "dtype": "float32" * 100}, "x": {"kind": "exec"}, 3: {}})
    assert items == {"value": {"kind": "array", "dtype": ("float32" * 100)[:120], "shape": None}}
    assert sandbox._clean_costs({"costs": {"100": "1.50", "x": "2.0", "0": 1.8, "7": "one", "8": "9" * 40}}) == {100: (1.5, "1.50")}
    assert sandbox._clean_error("boom") == {"type": "Exception", "message": "", "where": ""}


def test_the_child_reads_printed_costs_from_any_write_pattern():
    from graders.child import Capture

    capture = Capture()
    capture.write("spam " * 1000 + "\n")
    capture.write("Cost after epoch 0: 1.855702")
    capture.write("\n")
    capture.write("Cost after ep")
    capture.write("och 100: 1.016458\nCost after epoch 100: 0.5\n")
    capture.write("x Cost after epoch 200: 0.1\nCost after epoch 300: 0.25")
    capture.finish()
    assert capture.costs == {"0": "1.855702", "100": "1.016458", "300": "0.25"}


# ---------------------------------------------------------------------------
# Results and the command line's bad input


def test_results_that_could_not_be_graded_still_render():
    from test_graders_golden import validate_gradescope

    failed = results.Results("alice.py", error="data: /nowhere: not found")
    assert failed.exit_code() == 2
    assert failed.summary() == "Grading alice.py (edition v3)\ncould not grade: data: /nowhere: not found\n"
    assert validate_gradescope(failed.to_gradescope_dict()) == []


def test_missing_submission_is_an_error_and_still_writes_the_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = cli.main([str(tmp_path / "nope.py"), "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"error: {tmp_path / 'nope.py'}: no such file\n"
    assert json.loads(out.read_text())["output"] == f"could not grade: {tmp_path / 'nope.py'}: no such file"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--only", "sigmoid,softmax"], "argument --only: not a graded function: softmax"),
        (["--timeout", "0"], "argument --timeout: expected a positive number of seconds, received '0'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_wrong_kind_of_file_and_unwritable_json(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert cli.main([str(text)]) == 2
    assert capsys.readouterr().err == f"error: {text}: expected a .py file or an .ipynb notebook\n"
    assert cli.main(["--json", str(tmp_path / "missing" / "r.json")]) == 2
    assert "error: --json: folder" in capsys.readouterr().err


def test_the_regularization_count_model_reports_is_read_only_as_a_non_negative_integer():
    from graders.assignments.tf1_tutorial.plugin import _count
    from graders.assignments.tf1_tutorial.runners import REGULARIZATION_KEY
    from graders.sandbox import Outcome

    def outcome(value):
        return Outcome("returned", arrays={REGULARIZATION_KEY: np.asarray(value)})

    assert _count(outcome(3), REGULARIZATION_KEY) == 3
    assert _count(Outcome("returned"), REGULARIZATION_KEY) == 0
    assert [_count(outcome(v), REGULARIZATION_KEY) for v in (-2, 2.5, [1, 2], True)] == [0, 0, 0, 0]
