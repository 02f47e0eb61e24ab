"""Edition detection (`--edition auto`): the submission's epoch_cost line first, then its text."""
import ast
import json

import pytest

from graders.assignments.tf1_tutorial import edition
from graders.submission import Program, Unit, read_program

V3_LINE = "epoch_cost += minibatch_cost / num_minibatches"
V3B_LINE = "epoch_cost += minibatch_cost / minibatch_size"


def _model(line, label="", graded=""):
    source = (
        "def model(X_train, Y_train, X_test, Y_test, minibatch_size = 32):\n"
        "    m = X_train.shape[1]\n"
        "    num_minibatches = int(m / minibatch_size)\n"
        "    epoch_cost = 0.\n"
        "    for minibatch_cost in [1.0, 2.0]:\n"
        f"        {line}\n"
        "    return epoch_cost\n"
    )
    return Unit(label, f"<{label or 'file'}>", source, graded)


def _program(*units, texts=()):
    return Program("ipynb" if any(unit.label for unit in units) else "py", tuple(units), texts=tuple(texts))


@pytest.mark.parametrize(
    "line, want",
    [
        (V3_LINE, "v3"),
        (V3B_LINE, "v3b"),
        ("epoch_cost = epoch_cost + minibatch_cost / num_minibatches", "v3"),
        ("epoch_cost = epoch_cost + minibatch_cost / minibatch_size", "v3b"),
        ("epoch_cost += minibatch_cost / int(m / minibatch_size)", "v3"),
        ("epoch_cost += float(minibatch_cost) / num_minibatches", "v3"),
    ],
)
def test_the_epoch_cost_divisor_names_the_edition(line, want):
    choice = edition.choose("auto", _program(_model(line)))
    assert choice.edition == want
    assert choice.reason.startswith(f"auto: model() at line 6 divides epoch_cost by ")
    assert choice.reason.endswith(f", {want}'s convention")


def test_the_printed_cost_variable_counts_whatever_its_name():
    source = (
        "def model(X_train, Y_train, X_test, Y_test, minibatch_size = 32, print_cost = True):\n"
        "    ep_cost = 0.\n"
        "    for epoch in range(3):\n"
        "        ep_cost += 1.0 / minibatch_size\n"
        "        if print_cost == True and epoch % 100 == 0:\n"
        "            print(\"Cost after epoch %i: %f\" % (epoch, ep_cost))\n"
    )
    choice = edition.choose("auto", _program(Unit("", "<file>", source)))
    assert choice == edition.Choice("v3b", "auto: model() at line 4 divides ep_cost by minibatch_size, v3b's convention")


def test_renamed_divisors_are_followed_to_their_assignment():
    source = (
        "def model(X_train, Y_train, X_test, Y_test, learning_rate = 0.0001, num_epochs = 1500, mb = 32):\n"
        "    (n_x, m) = X_train.shape\n"
        "    n_batches = int(m / mb)\n"
        "    total = 0.\n"
        "    total += 1.0 / n_batches\n"
        "    print(\"Cost after epoch %i: %f\" % (0, total))\n"
        "    other = 0.\n"
        "    other += 1.0 / mb\n"
        "    print(\"Cost after epoch %i: %f\" % (1, other))\n"
    )
    divisions = edition._epoch_cost_divisions(ast.parse(source).body[0])
    assert [(line, name, divisor, variable) for line, name, divisor, variable in divisions] == [
        (5, "v3", "n_batches", "total"),
        (8, "v3b", "mb", "other"),
    ]
    # Both conventions in one model(): the code does not decide.
    assert edition.from_code(_program(Unit("", "<file>", source))) is None


def test_the_graded_cell_model_decides_over_a_later_test_cell():
    graded = _model(V3B_LINE, "code cell 4", graded="model")
    later = _model(V3_LINE, "code cell 9")
    choice = edition.choose("auto", _program(graded, later))
    assert choice == edition.Choice("v3b", "auto: model() at code cell 4, line 6 divides epoch_cost by minibatch_size, v3b's convention")


def test_the_notebook_text_decides_when_the_code_does_not():
    unknown = _model("epoch_cost += minibatch_cost / len(minibatches)")  # the known mistake: neither edition
    text = 'Run the following cell to train your model! Your \u201cCost after epoch 100\u201d should be 1.048222. If it\'s not, ...'
    choice = edition.choose("auto", _program(unknown, texts=[("markdown cell 40", text)]))
    assert choice == edition.Choice("v3b", 'auto: markdown cell 40 says "Cost after epoch 100" should be 1.048222 (v3b)')


def test_a_py_export_comment_counts_as_the_notebook_text():
    source = "# Your\n#\"Cost after epoch 100\" should be 1.016458. If it is not, ...\nimport numpy as np\n"
    choice = edition.choose("auto", _program(Unit("", "<file>", source)))
    assert choice == edition.Choice("v3", 'auto: the file says "Cost after epoch 100" should be 1.016458 (v3)')


def test_published_numbers_of_one_edition_decide_last():
    outputs = [("output of code cell 11", "cost = [ 0.79813886  0.91301525  0.40318605  0.34115386]")]
    choice = edition.choose("auto", _program(Unit("code cell 1", "<code cell 1>", "x = 1\n"), texts=outputs))
    assert choice == edition.Choice("v3b", "auto: output of code cell 11 shows 0.79813886, its cost test's output in v3b")
    # Numbers of both editions: no decision from numbers, the default.
    both = outputs + [("markdown cell 2", "Cost after epoch 0: 1.855702")]
    assert edition.choose("auto", _program(Unit("code cell 1", "<code cell 1>", "x = 1\n"), texts=both)).edition == "v3"
    assert edition.from_numbers(_program(texts=both)) is None


def test_nothing_to_go_by_is_v3_and_says_so():
    choice = edition.choose("auto", _program(Unit("", "<file>", "def sigmoid(z):\n    return z\n")))
    assert choice.edition == "v3"
    assert "nothing in the submission names an edition" in choice.reason


def test_an_explicit_edition_wins_over_the_code():
    assert edition.choose("v3", _program(_model(V3B_LINE))) == edition.Choice("v3", "--edition v3")
    assert edition.choose("v3b", None) == edition.Choice("v3b", "--edition v3b")
    assert edition.choose("auto", None).edition == "v3"
    with pytest.raises(ValueError, match="edition: expected v3, v3b or auto, received 'v4'"):
        edition.choose("v4", None)


def test_a_notebook_markdown_cell_and_outputs_are_read(tmp_path):
    cells = [
        {"cell_type": "markdown", "source": ["Your \"Cost after epoch 100\" should be\n", "1.048222.\n"]},
        {"cell_type": "code", "source": "x = 1\n", "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Cost after epoch 0: 1.913693\n"]}]},
    ]
    path = tmp_path / "learner.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 2}), encoding="utf-8")
    program = read_program(path)
    assert program.texts == (
        ("markdown cell 1", 'Your "Cost after epoch 100" should be\n1.048222.\n'),
        ("output of code cell 1", "Cost after epoch 0: 1.913693\n"),
    )
    assert edition.choose("auto", program).reason == 'auto: markdown cell 1 says "Cost after epoch 100" should be 1.048222 (v3b)'
