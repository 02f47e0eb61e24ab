"""The Keras 3 equivalent: TF2-edition checks, exact conversion, .keras files, parity and idiomatic training."""
import re
import subprocess
import sys

import numpy as np
import pytest

from tfsigns import assignment, cli, expected, keras_model
from tfsigns.errors import ParametersError, TfsignsError
from tfsigns.params import load_parameters
from tfsigns.tf_utils import convert_to_one_hot, flatten_images, forward_propagation_for_predict, predict

MAX_LINE = re.compile(r"^max \|cost difference\| over (\d+) epochs: (\d\.\d\de[+-]\d\d)$")
ROW = re.compile(r"^\s*(\d+)\s+(\d+\.\d{6})\s+(\d+\.\d{6})\s+(\d\.\d\de[+-]\d\d)$")
COST_LINE = re.compile(r"^Cost after epoch (\d+): (\d+\.\d{6})$")


@pytest.fixture(scope="module")
def nearcopy_arrays(nearcopy_dir):
    """X_train (12288, 1080), Y_train (6, 1080), X_test (12288, 120), Y_test (6, 120)."""
    from tfsigns import data

    train_x, train_y, test_x, test_y, _ = data.load_dataset(nearcopy_dir)
    return flatten_images(train_x), convert_to_one_hot(train_y, 6), flatten_images(test_x), convert_to_one_hot(test_y, 6)


@pytest.fixture(scope="module")
def start():
    """compat.v1's initial parameters, as numpy."""
    return keras_model.initialize_parameters()


def random_parameters(seed):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype(np.float32) for name, shape in expected.PARAMETER_SHAPES.items()}


def accuracy_of(parameters, X, Y):
    """float32 accuracy of the assignment's `predict` on columns X (12288, m), Y (6, m)."""
    correct = np.count_nonzero(predict(X, parameters) == np.argmax(Y, axis=0))
    return float(np.float32(correct) / np.float32(Y.shape[1]))


# --- The TF2 edition's public checks ----------------------------------------


def test_sigmoid_matches_the_tf2_edition():
    for z, want in ((-1, expected.TF2_SIGMOID_MINUS_1), (12, expected.TF2_SIGMOID_12)):
        got = keras_model.sigmoid(z)
        assert got.dtype.name == "float32"
        np.testing.assert_allclose(got.numpy(), want.value, rtol=want.rtol, atol=want.atol)


def test_compute_total_loss_matches_the_tf2_edition():
    # (classes, m) inputs: without the transposes the sum would be 3.654, not 3*log(3).
    got = keras_model.compute_total_loss(expected.TF2_TOTAL_LOSS_LOGITS, expected.TF2_TOTAL_LOSS_LABELS)
    want = expected.TF2_COMPUTE_TOTAL_LOSS
    assert got.shape == () and got.dtype.name == "float32"
    np.testing.assert_allclose(got.numpy(), want.value, rtol=want.rtol, atol=want.atol)


def test_compute_total_loss_sums_over_examples_of_a_real_minibatch():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 5))
    labels = convert_to_one_hot(np.array([0, 3, 5, 1, 1]), 6)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=0, keepdims=True))
    want = -np.sum(labels * log_softmax)
    np.testing.assert_allclose(keras_model.compute_total_loss(logits, labels).numpy(), want, rtol=1e-6)


# --- Conversion and files ----------------------------------------------------


def test_initialize_parameters_is_the_compat_v1_start(start):
    # assignment.train with 0 epochs returns the compat.v1 initial values untouched.
    rng = np.random.default_rng(0)
    X = rng.random((12288, 8))
    Y = convert_to_one_hot(rng.integers(0, 6, 8), 6)
    compat_start = assignment.train(X, Y, X, Y, num_epochs=0, minibatch_size=8, print_cost=False).parameters
    for name, shape in expected.PARAMETER_SHAPES.items():
        assert start[name].shape == shape and start[name].dtype == np.float32
        np.testing.assert_array_equal(start[name], compat_start[name])
    assert np.all(start["b1"] == 0) and np.std(start["W1"]) > 0


def test_parameters_round_trip_compat_v1_to_keras_to_compat_v1_bitwise(start):
    parameters = dict(start)
    parameters.update({name: value for name, value in random_parameters(1).items() if name.startswith("b")})
    model = keras_model.parameters_to_model(parameters)
    # Keras kernels are (n_in, n_out): the transpose of the assignment's W.
    assert tuple(model.get_layer("layer_1").kernel.shape) == (12288, 25)
    np.testing.assert_array_equal(model.get_layer("layer_1").kernel.numpy(), parameters["W1"].T)
    back = keras_model.model_to_parameters(model)
    assert list(back) == list(expected.PARAMETER_SHAPES)
    for name in expected.PARAMETER_SHAPES:
        assert back[name].dtype == np.float32 and back[name].shape == parameters[name].shape
        assert back[name].tobytes() == parameters[name].tobytes(), name


def test_keras_model_computes_the_assignments_forward_propagation():
    parameters = {name: value * 0.05 for name, value in random_parameters(2).items()}
    X = np.random.default_rng(3).random((12288, 7))  # (12288, m) columns
    want = forward_propagation_for_predict(X, parameters)  # (6, m)
    model = keras_model.parameters_to_model(parameters)
    got_model = np.asarray(model(np.ascontiguousarray(X.T, dtype=np.float32))).T
    got_eager = keras_model.forward_propagation(X, parameters).numpy()
    assert got_model.shape == got_eager.shape == (6, 7)
    np.testing.assert_allclose(got_model, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_eager, want, rtol=1e-5, atol=1e-5)


def test_saved_keras_model_reloads_with_identical_predictions(tmp_path):
    model = keras_model.parameters_to_model({name: value * 0.05 for name, value in random_parameters(4).items()})
    X_rows = np.random.default_rng(5).random((9, 12288)).astype(np.float32)
    path = keras_model.save_model(model, tmp_path / "signs.keras")
    loaded = keras_model.load_model(path)
    assert np.asarray(loaded.predict(X_rows, verbose=0)).tobytes() == np.asarray(model.predict(X_rows, verbose=0)).tobytes()
    for name, value in keras_model.model_to_parameters(model).items():
        np.testing.assert_array_equal(keras_model.model_to_parameters(loaded)[name], value)


def test_model_files_report_bad_names_and_contents(tmp_path):
    model = keras_model.build_model()
    with pytest.raises(TfsignsError, match=r"signs\.h5: a Keras model file name must end in \.keras, received suffix '\.h5'"):
        keras_model.save_model(model, tmp_path / "signs.h5")
    with pytest.raises(ParametersError, match=r"missing\.keras: Keras model file not found"):
        keras_model.load_model(tmp_path / "missing.keras")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip archive")
    with pytest.raises(ParametersError, match=r"corrupt\.keras: cannot load the Keras model"):
        keras_model.load_model(corrupt)


def test_parameters_to_model_names_a_wrong_shape():
    parameters = random_parameters(6)
    parameters["W2"] = parameters["W2"].T
    with pytest.raises(ParametersError, match=r"W2 has shape \(25, 12\), expected \(12, 25\)"):
        keras_model.parameters_to_model(parameters)


def test_train_rejects_an_unknown_mode():
    X = np.zeros((12288, 2))
    Y = convert_to_one_hot(np.array([0, 1]), 6)
    with pytest.raises(ValueError, match="mode must be one of parity, idiomatic; received 'fast'"):
        keras_model.train(X, Y, X, Y, mode="fast", num_epochs=1)


# --- Parity with compat.v1 ---------------------------------------------------


def test_parity_command_follows_compat_v1_for_20_epochs(nearcopy_dir, capsys):
    assert cli.main(["parity", "--data-dir", str(nearcopy_dir), "--epochs", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["epoch", "compat.v1", "keras", "|difference|"]
    rows = [ROW.match(line) for line in lines[2:22]]
    assert all(rows) and [int(row.group(1)) for row in rows] == list(range(20))
    first = expected.NEARCOPY_EPOCH_COSTS[0]
    np.testing.assert_allclose([float(rows[0].group(2)), float(rows[0].group(3))], first.value, atol=first.atol)
    last = MAX_LINE.match(lines[-1])
    assert last, lines[-1]
    assert int(last.group(1)) == 20
    assert float(last.group(2)) <= keras_model.PARITY_MAX_COST_DIFFERENCE
    assert float(last.group(2)) == pytest.approx(max(float(row.group(4)) for row in rows), rel=0.01)


@pytest.mark.slow
def test_parity_command_follows_compat_v1_for_100_epochs(nearcopy_dir, capsys):
    assert cli.main(["parity", "--data-dir", str(nearcopy_dir), "--epochs", "100"]) == 0
    last = MAX_LINE.match(capsys.readouterr().out.splitlines()[-1])
    assert int(last.group(1)) == 100 and float(last.group(2)) <= keras_model.PARITY_MAX_COST_DIFFERENCE


def test_parity_mode_v3b_divides_the_epoch_cost_by_32(nearcopy_arrays):
    result = keras_model.train(*nearcopy_arrays, num_epochs=1, edition="v3b", print_cost=False)
    want = expected.NEARCOPY_EPOCH_COSTS[0]
    np.testing.assert_allclose(result.epoch_costs[0], want.value * 33 / 32, atol=want.atol * 33 / 32)


def test_train_command_with_keras_backend_prints_the_notebooks_lines(nearcopy_dir, tmp_path, capsys):
    out, plot = tmp_path / "keras.npz", tmp_path / "costs.png"
    argv = ["train", "--backend", "keras", "--data-dir", str(nearcopy_dir), "--epochs", "2", "--out", str(out), "--plot", str(plot), "--quiet"]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    costs = [COST_LINE.match(line) for line in lines if line.startswith("Cost after")]
    assert [int(match.group(1)) for match in costs] == [0]
    want = expected.NEARCOPY_EPOCH_COSTS[0]
    np.testing.assert_allclose(float(costs[0].group(2)), want.value, atol=want.atol)
    assert "Parameters have been trained!" in lines
    assert plot.read_bytes().startswith(b"\x89PNG")
    accuracies = dict(line.split(": ") for line in lines if line.startswith(("Train Accuracy: ", "Test Accuracy: ")))
    # The saved parameters are the assignment's layout: predict gives the printed accuracy.
    parameters, metadata = load_parameters(out)
    assert metadata["backend"] == "keras (parity)"
    from tfsigns import data

    _, _, test_x, test_y, _ = data.load_dataset(nearcopy_dir)
    test_accuracy = accuracy_of(parameters, flatten_images(test_x), convert_to_one_hot(test_y, 6))
    assert accuracies["Test Accuracy"] == assignment.format_accuracy(test_accuracy)


# --- Idiomatic mode -----------------------------------------------------------


def test_idiomatic_mode_trains_and_reports_accuracies_of_its_parameters(nearcopy_arrays):
    X_train, Y_train, X_test, Y_test = nearcopy_arrays
    result = keras_model.train(*nearcopy_arrays, mode="idiomatic", num_epochs=4, print_cost=False, verbose=0)
    costs = np.array(result.epoch_costs)
    assert costs.shape == (4,) and np.all(np.isfinite(costs))
    assert np.all(np.diff(costs) < 0), costs
    assert result.costs == [result.epoch_costs[0]]  # one recorded cost every 5 epochs
    assert 0.0 <= result.train_accuracy <= 1.0 and 0.0 <= result.test_accuracy <= 1.0
    # evaluate()'s accuracies are those of the parameters returned, in the assignment's layout.
    assert result.train_accuracy == accuracy_of(result.parameters, X_train, Y_train)
    assert result.test_accuracy == accuracy_of(result.parameters, X_test, Y_test)
    # Keras' own start is not compat.v1's.
    assert not np.allclose(keras_model.initialize_parameters()["W1"], result.parameters["W1"], atol=1e-3)


def test_idiomatic_mode_is_reproducible(nearcopy_arrays):
    first = keras_model.train(*nearcopy_arrays, mode="idiomatic", num_epochs=1, print_cost=False, verbose=0)
    second = keras_model.train(*nearcopy_arrays, mode="idiomatic", num_epochs=1, print_cost=False, verbose=0)
    assert first.epoch_costs == second.epoch_costs
    for name in expected.PARAMETER_SHAPES:
        np.testing.assert_array_equal(first.parameters[name], second.parameters[name])


# --- The entry point ------------------------------------------------------------


def test_parity_entry_point_reports_a_missing_data_dir_in_one_line(tmp_path):
    missing = tmp_path / "nowhere"
    completed = subprocess.run(
        [sys.executable, "-m", "tfsigns", "parity", "--data-dir", str(missing), "--epochs", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines() == [f"error: {missing}: data directory not found (given by --data-dir)"]
