"""The TF2 edition (tfsigns.tf2): the notebook's checks, the data pipeline, model(), the fast path, fit parity."""
import re

import numpy as np
import pytest

from tfsigns import cli, data, expected, tf2
from tfsigns.tf_utils import convert_to_one_hot, flatten_images, forward_propagation_for_predict

tf = tf2.tf
EagerTensor = type(tf.constant(0.0))
ResourceVariable = type(tf.Variable(0.0))
COST_LINE = re.compile(r"^Cost after epoch (\d+): (\d+\.\d{6})$")
ACCURACY_LINE = re.compile(r"^(Train accuracy|Test_accuracy): tf\.Tensor\((\d\.\d+|1\.0|0\.0), shape=\(\), dtype=float32\)$")
MAX_LINE = re.compile(r"^max \|cost difference\| over (\d+) epochs: (\d\.\d\de[+-]\d\d)$")


def assert_expected(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want.value, rtol=want.rtol, atol=want.atol, err_msg=want.source)


def printed_rows(lines):
    """{epoch: (cost, train accuracy, test accuracy)} from the notebook's three lines every 10 epochs."""
    rows = {}
    for index, line in enumerate(lines):
        match = COST_LINE.match(line)
        if match:
            train, test = (ACCURACY_LINE.match(lines[index + offset]) for offset in (1, 2))
            assert train and train.group(1) == "Train accuracy", lines[index + 1]
            assert test and test.group(1) == "Test_accuracy", lines[index + 2]
            rows[int(match.group(1))] = (float(match.group(2)), float(train.group(2)), float(test.group(2)))
    return rows


@pytest.fixture(scope="module")
def official_dir(tmp_path_factory):
    """A data folder holding the official train file, if one is anywhere tfsigns looks (it is not in ../shared)."""
    from conftest import ROOT, SHARED

    for directory in (ROOT / "data", ROOT / "datasets", SHARED / "signs"):
        train = directory / data.TRAIN_FILE
        if train.is_file() and data.file_status(train, "train") == data.OFFICIAL:
            return directory
    pytest.skip("the official train_signs.h5 is not here ('python -m tfsigns data fetch'); the published TF2 training values need it")


# --- The notebook's checks ------------------------------------------------------


def test_linear_function_is_an_eager_float64_tensor():
    result = tf2.linear_function()
    assert type(result) is EagerTensor and result.dtype == tf.float64 and result.shape == (4, 1)
    assert_expected(result.numpy(), expected.TF2_LINEAR_FUNCTION)


def test_sigmoid_gives_the_published_float32_values():
    for z, want in ((0, expected.TF2_SIGMOID_0), (-1, expected.TF2_SIGMOID_MINUS_1), (12, expected.TF2_SIGMOID_12)):
        result = tf2.sigmoid(z)
        assert type(result) is EagerTensor and result.dtype == tf.float32
        assert_expected(result.numpy(), want)


def test_one_hot_matrix_cases():
    for label, C, want in expected.TF2_ONE_HOT_CASES:
        result = tf2.one_hot_matrix(label, C)
        assert result.dtype == tf.float32 and result.shape == want.value.shape, (label, C)
        assert_expected(result.numpy(), want)
    for label, C, want in expected.TF2_EARLY_ONE_HOT_CASES:
        result = tf2.one_hot_matrix(label, C, edition="tf2-early")
        assert result.shape == want.value.shape == (C, 1)
        assert_expected(result.numpy(), want)
    assert tf2.one_hot_matrix(5).numpy().tolist() == [0, 0, 0, 0, 0, 1]  # C = 6 by default


def test_initialize_parameters_six_glorot_normal_variables():
    parameters = tf2.initialize_parameters()
    assert list(parameters) == list(expected.PARAMETER_SHAPES)
    for name, shape in expected.PARAMETER_SHAPES.items():
        value = parameters[name]
        assert type(value) is ResourceVariable and value.dtype == tf.float32 and tuple(value.shape) == shape, name
        # The notebook's own check: zero biases fail it.
        assert abs(np.mean(value.numpy())) < expected.TF2_INIT_MAX_ABS_MEAN, name
        low, high = expected.TF2_INIT_STD_RANGE
        assert low < np.std(value.numpy()) < high, name
    assert_expected(parameters["W1"].numpy()[0, :3], expected.TF2_GLOROT_NORMAL_W1_ROW0)
    # Seeded Keras 3 initializers are stateless: a second call starts from the same values.
    again = tf2.initialize_parameters()
    for name in parameters:
        np.testing.assert_array_equal(again[name].numpy(), parameters[name].numpy())


def test_forward_propagation_is_the_assignments_network_and_reaches_every_variable():
    parameters = tf2.initialize_parameters()
    X = tf.constant(np.random.default_rng(0).random((12288, 5)), tf.float32)
    with tf.GradientTape() as tape:
        Z3 = tf2.forward_propagation(X, parameters)
        loss = tf2.compute_total_loss(Z3, tf.constant(convert_to_one_hot(np.array([0, 1, 2, 3, 5]), 6), tf.float32))
    assert type(Z3) is EagerTensor and Z3.shape == (6, 5) and np.any(Z3.numpy() < 0)  # no ReLU on Z3
    gradients = tape.gradient(loss, list(parameters.values()))
    assert all(gradient is not None for gradient in gradients)
    numpy_parameters = {name: value.numpy() for name, value in parameters.items()}
    np.testing.assert_allclose(Z3.numpy(), forward_propagation_for_predict(X.numpy(), numpy_parameters), rtol=1e-5, atol=1e-5)


def test_loss_test_1_and_test_2():
    labels = convert_to_one_hot(np.array(expected.TF2_LOSS_TEST1_CLASSES), 6)  # (6, 2)
    logits = expected.TF2_LOSS_TEST1_LOGITS  # (6, 2)
    total = tf2.compute_total_loss(tf.constant(logits, tf.float32), tf.constant(labels, tf.float32))
    assert type(total) is EagerTensor and total.dtype == tf.float32 and total.shape == ()
    assert_expected(total.numpy(), expected.TF2_TOTAL_LOSS_TEST1)
    mean = tf2.compute_cost(tf.constant(logits, tf.float32), tf.constant(labels, tf.float32))
    assert_expected(mean.numpy(), expected.TF2_MEAN_COST_TEST1)
    test2 = tf2.compute_total_loss(tf.constant(expected.TF2_TOTAL_LOSS_LOGITS, tf.float32), tf.constant(expected.TF2_TOTAL_LOSS_LABELS, tf.float32))
    assert_expected(test2.numpy(), expected.TF2_COMPUTE_TOTAL_LOSS)


def test_tf2_early_compute_cost_is_the_mean_binary_cross_entropy():
    result = tf2.compute_cost(expected.TF2_EARLY_COST_LOGITS, expected.TF2_EARLY_COST_LABELS, edition="tf2-early")
    assert type(result) is EagerTensor and result.shape == ()
    assert_expected(result.numpy(), expected.TF2_EARLY_COMPUTE_COST)


def test_functions_reject_an_unknown_edition():
    with pytest.raises(ValueError, match="edition must be one of tf2, tf2-mean, tf2-early; received 'v3'"):
        tf2.one_hot_matrix(1, 4, edition="v3")
    with pytest.raises(ValueError, match=r"edition must be 'tf2-mean' or 'tf2-early' \(tf2 uses compute_total_loss\); received 'tf2'"):
        tf2.compute_cost(np.zeros((6, 1)), np.zeros((6, 1)), edition="tf2")


# --- The data pipeline ------------------------------------------------------------


@pytest.fixture(scope="module")
def nearcopy_datasets(nearcopy_dir):
    return tf2.load_datasets(nearcopy_dir)


def test_normalize_gives_the_columns_of_flatten_images_bit_for_bit(nearcopy_dir, nearcopy_datasets):
    # tf.reshape(..., [-1]) is the C-order flatten of X.reshape(m, -1).T, and float32 x / 255
    # rounds as float64 x / 255 does: the 2018 preprocessing, so `predict` serves both editions.
    train_x, train_y, _, _, _ = data.load_dataset(nearcopy_dir)
    new_train, new_y_train, new_test, new_y_test = nearcopy_datasets
    assert new_train.element_spec.shape == (12288,) and new_y_train.element_spec.shape == (6,)
    assert [int(d.cardinality()) for d in nearcopy_datasets] == [1080, 1080, 120, 120]
    rows = tf2._stack(new_train).numpy()  # (1080, 12288)
    assert rows.tobytes() == flatten_images(train_x).T.astype(np.float32).tobytes()
    np.testing.assert_array_equal(tf2._stack(new_y_train).numpy().T, convert_to_one_hot(train_y, 6))
    early = tf2.normalize(train_x[0], edition="tf2-early")
    assert early.shape == (12288, 1)
    np.testing.assert_array_equal(early.numpy()[:, 0], train_x[0].reshape(-1).astype(np.float32) / np.float32(256))


def test_predict_gives_the_same_probabilities_through_both_preprocessings(nearcopy_dir, nearcopy_datasets, tmp_path):
    from tfsigns.params import load_parameters, save_parameters
    from tfsigns.prediction import predict_array

    result = tf2.train(*nearcopy_datasets, num_epochs=1, print_cost=False)
    path = save_parameters(tmp_path / "tf2.npz", result.numpy_parameters(), {"edition": "tf2"})
    parameters, _ = load_parameters(path)
    _, _, test_x, _, _ = data.load_dataset(nearcopy_dir)
    by_normalize = tf2._stack(nearcopy_datasets[2]).numpy().T  # (12288, 120) from the notebook's pipeline
    labels_a, probabilities_a = predict_array(by_normalize, parameters)
    labels_b, probabilities_b = predict_array(flatten_images(test_x), parameters)
    np.testing.assert_array_equal(labels_a, labels_b)
    np.testing.assert_array_equal(probabilities_a, probabilities_b)
    # ... and the same class as the edition's own forward pass on its variables.
    Z3 = tf2.forward_propagation(tf.constant(by_normalize), result.parameters).numpy()
    np.testing.assert_array_equal(np.argmax(Z3, axis=0), labels_a)


# --- model() and the fast path --------------------------------------------------------


def test_model_returns_the_notebooks_four_values_and_prints_its_lines(nearcopy_datasets, capsys):
    parameters, costs, train_acc, test_acc = tf2.model(*nearcopy_datasets, num_epochs=11)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    rows = printed_rows(lines)
    assert sorted(rows) == [0, 10]
    assert len(costs) == len(train_acc) == len(test_acc) == 2
    assert all(type(value) is EagerTensor and value.dtype == tf.float32 for value in costs + train_acc + test_acc)
    assert all(type(value) is ResourceVariable for value in parameters.values())
    for epoch, (cost, train, test) in rows.items():
        want_cost, want_train, want_test = expected.TF2_NEARCOPY_RUNS["tf2"][epoch]
        assert_expected(cost, want_cost)
        assert_expected(train, want_train)
        assert_expected(test, want_test)


def test_nearcopy_100_epochs_follow_tfsigns_recorded_trajectory(nearcopy_datasets):
    lines = []
    result = tf2.train(*nearcopy_datasets, num_epochs=100, print_fn=lines.append)
    rows = printed_rows(lines)
    assert sorted(rows) == list(range(0, 100, 10))
    for epoch, want in expected.TF2_NEARCOPY_RUNS["tf2"].items():
        for got, want_value in zip(rows[epoch], want):
            assert_expected(got, want_value)
    want_train, want_test = expected.TF2_NEARCOPY_FINAL_ACCURACY["tf2"]
    assert_expected(result.train_accuracy, want_train)
    assert_expected(result.test_accuracy, want_test)


@pytest.mark.parametrize("edition, epochs", [("tf2", 2), ("tf2-mean", 1), ("tf2-early", 1)])
def test_fast_path_prints_the_eager_loops_costs_bit_for_bit(nearcopy_dir, edition, epochs):
    datasets = tf2.load_datasets(nearcopy_dir, edition=edition)
    runs = {}
    for fast in (False, True):
        lines = []
        result = tf2.train(*datasets, num_epochs=epochs, edition=edition, fast=fast, print_fn=lines.append)
        runs[fast] = (lines, result)
    (eager_lines, eager), (fast_lines, fast) = runs[False], runs[True]
    assert fast_lines == eager_lines
    difference = np.max(np.abs(np.array(fast.epoch_costs) - np.array(eager.epoch_costs)))
    assert difference <= expected.TF2_FAST_PATH_MAX_COST_DIFFERENCE
    for name in expected.PARAMETER_SHAPES:
        np.testing.assert_allclose(
            fast.parameters[name].numpy(), eager.parameters[name].numpy(),
            rtol=0, atol=expected.TF2_FAST_PATH_MAX_PARAMETER_DIFFERENCE,
        )
    first = {"tf2": expected.TF2_NEARCOPY_RUNS["tf2"][0][0], "tf2-mean": expected.TF2_NEARCOPY_RUNS["tf2-mean"][0][0]}.get(
        edition, expected.TF2_EARLY_NEARCOPY_COSTS[0]
    )
    assert_expected(fast.epoch_costs[0], first)


def test_same_inputs_same_numbers_run_after_run(nearcopy_datasets):
    first = tf2.train(*nearcopy_datasets, num_epochs=2, print_cost=False)
    second = tf2.train(*nearcopy_datasets, num_epochs=2, print_cost=False)
    assert first.epoch_costs == second.epoch_costs
    np.testing.assert_array_equal(first.parameters["W1"].numpy(), second.parameters["W1"].numpy())


def test_mean_family_on_the_nearcopy_for_11_epochs(nearcopy_dir):
    lines = []
    tf2.train(*tf2.load_datasets(nearcopy_dir, edition="tf2-mean"), num_epochs=11, edition="tf2-mean", print_fn=lines.append)
    rows = printed_rows(lines)
    for epoch in (0, 10):
        for got, want in zip(rows[epoch], expected.TF2_NEARCOPY_RUNS["tf2-mean"][epoch]):
            assert_expected(got, want)


def test_embedded_default_for_11_epochs():
    lines = []
    tf2.train(*tf2.load_datasets(), num_epochs=11, print_fn=lines.append)
    rows = printed_rows(lines)
    for epoch in (0, 10):
        for got, want in zip(rows[epoch], expected.TF2_EMBEDDED_RUNS["tf2"][epoch]):
            assert_expected(got, want)


def test_tf2_early_model_returns_the_parameters_and_says_so(nearcopy_dir, capsys):
    parameters = tf2.model(*tf2.load_datasets(nearcopy_dir, edition="tf2-early"), num_epochs=1, edition="tf2-early")
    assert list(parameters) == list(expected.PARAMETER_SHAPES)
    lines = capsys.readouterr().out.splitlines()
    assert COST_LINE.match(lines[0]) and lines[1:] == ["Parameters have been trained!"]


def test_train_rejects_bad_arguments_by_name(nearcopy_datasets):
    with pytest.raises(ValueError, match="edition must be one of tf2, tf2-mean, tf2-early; received 'v3b'"):
        tf2.train(*nearcopy_datasets, num_epochs=1, edition="v3b")
    with pytest.raises(ValueError, match="minibatch_size must be at most m = 1080; received 2000"):
        tf2.train(*nearcopy_datasets, num_epochs=1, minibatch_size=2000, edition="tf2-early")
    short = nearcopy_datasets[1].take(10)
    with pytest.raises(ValueError, match="X_train and Y_train must have the same length; received 1080 and 10"):
        tf2.train(nearcopy_datasets[0], short, *nearcopy_datasets[2:], num_epochs=1)


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["tf2-mean"])
def test_nearcopy_100_epochs_mean_family(nearcopy_dir, edition):
    lines = []
    tf2.train(*tf2.load_datasets(nearcopy_dir, edition=edition), num_epochs=100, edition=edition, print_fn=lines.append)
    rows = printed_rows(lines)
    for epoch, want in expected.TF2_NEARCOPY_RUNS[edition].items():
        for got, want_value in zip(rows[epoch], want):
            assert_expected(got, want_value)


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["tf2", "tf2-mean"])
def test_embedded_default_100_epochs(edition):
    lines = []
    tf2.train(*tf2.load_datasets(edition=edition), num_epochs=100, edition=edition, print_fn=lines.append)
    rows = printed_rows(lines)
    for epoch, want in expected.TF2_EMBEDDED_RUNS[edition].items():
        for got, want_value in zip(rows[epoch], want):
            assert_expected(got, want_value)


@pytest.mark.slow
def test_tf2_early_41_epochs_on_the_nearcopy(nearcopy_dir):
    result = tf2.train(*tf2.load_datasets(nearcopy_dir, edition="tf2-early"), num_epochs=41, edition="tf2-early", print_cost=False)
    for epoch, want in expected.TF2_EARLY_NEARCOPY_COSTS.items():
        assert_expected(result.epoch_costs[epoch], want)


# --- The official data (published values; skipped when the official train file is absent) ----


def test_forward_propagation_of_the_first_two_official_examples(official_dir):
    new_train = tf2.load_datasets(official_dir)[0]
    X = tf.transpose(next(iter(new_train.batch(2))))  # (12288, 2)
    assert_expected(tf2.forward_propagation(X, tf2.initialize_parameters()).numpy(), expected.TF2_FORWARD_FIRST_TWO)
    early = next(iter(tf2.load_datasets(official_dir, edition="tf2-early")[0]))  # (12288, 1)
    assert_expected(tf2.forward_propagation(early, tf2.initialize_parameters()).numpy(), expected.TF2_EARLY_FORWARD_FIRST)


@pytest.mark.parametrize("edition", ["tf2", "tf2-mean"])
def test_published_100_epoch_table_on_the_official_data(official_dir, edition):
    lines = []
    tf2.train(*tf2.load_datasets(official_dir, edition=edition), num_epochs=100, edition=edition, print_fn=lines.append)
    rows = printed_rows(lines)
    for epoch, want_cost in expected.TF2_EPOCH_COSTS[edition].items():
        assert_expected(rows[epoch][0], want_cost)
        want_train, want_test = expected.TF2_ACCURACIES[edition][epoch]
        assert_expected(rows[epoch][1], want_train)
        assert_expected(rows[epoch][2], want_test)


@pytest.mark.slow
def test_published_tf2_early_costs_on_the_official_data(official_dir):
    result = tf2.train(*tf2.load_datasets(official_dir, edition="tf2-early"), num_epochs=41, edition="tf2-early", print_cost=False)
    for epoch, want in expected.TF2_EPOCH_COSTS["tf2-early"].items():
        assert_expected(result.epoch_costs[epoch], want)


# --- Three ways, one network: Keras fit ------------------------------------------------------


def test_parity_tf2_follows_keras_fit_for_3_epochs(nearcopy_dir, capsys):
    assert cli.main(["parity", "--edition", "tf2", "--data-dir", str(nearcopy_dir), "--epochs", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["epoch", "tf2", "keras", "fit", "|difference|"]
    rows = [line.split() for line in lines[2:5]]
    assert [int(row[0]) for row in rows] == [0, 1, 2]
    assert_expected(float(rows[0][1]), expected.TF2_NEARCOPY_RUNS["tf2"][0][0])
    assert_expected(float(rows[0][2]), expected.TF2_NEARCOPY_RUNS["tf2"][0][0])
    last = MAX_LINE.match(lines[-1])
    assert last and int(last.group(1)) == 3, lines[-1]
    assert float(last.group(2)) <= expected.TF2_KERAS_FIT_MAX_COST_DIFFERENCE


@pytest.mark.slow
def test_parity_tf2_follows_keras_fit_for_100_epochs(nearcopy_dir, capsys):
    assert cli.main(["parity", "--edition", "tf2", "--data-dir", str(nearcopy_dir), "--epochs", "100"]) == 0
    last = MAX_LINE.match(capsys.readouterr().out.splitlines()[-1])
    assert int(last.group(1)) == 100 and float(last.group(2)) <= expected.TF2_KERAS_FIT_MAX_COST_DIFFERENCE


def test_graded_functions_agree_with_compat_v1_and_keras_where_the_readme_says(nearcopy_dir):
    """The README's side-by-side table: what agrees across compat.v1, the TF2 edition and Keras."""
    import keras

    from tfsigns import assignment, keras_model

    np.testing.assert_array_equal(tf2.linear_function().numpy(), assignment.linear_function())
    for z in (0, -1, 12):
        value = tf2.sigmoid(z).numpy()
        assert value.tobytes() == np.float32(assignment.sigmoid(z)).tobytes() == keras.activations.sigmoid(tf.constant(float(z))).numpy().tobytes(), z
    # The same one-hot columns: compat.v1's (C, m) matrix, the edition's one vector per label.
    labels = expected.ONE_HOT_TEST_LABELS
    columns = np.stack([tf2.one_hot_matrix(int(label), expected.ONE_HOT_TEST_C).numpy() for label in labels], axis=1)
    np.testing.assert_array_equal(columns, assignment.one_hot_matrix(labels, expected.ONE_HOT_TEST_C))
    # Different starts: TF1 Xavier with zero biases, GlorotNormal biases included.
    start_v1 = keras_model.initialize_parameters()
    start_tf2 = {name: value.numpy() for name, value in tf2.initialize_parameters().items()}
    assert not start_v1["b1"].any() and start_tf2["b1"].std() > 0
    # The same forward pass on the same parameters (both starts), the same Z3.
    train_x, _, _, _, _ = data.load_dataset(nearcopy_dir)
    X = flatten_images(train_x[:2]).astype(np.float32)  # (12288, 2)
    for parameters in (start_v1, start_tf2):
        with tf.Graph().as_default():
            X_placeholder = tf.compat.v1.placeholder(tf.float32, (12288, None))
            Z3 = assignment.forward_propagation(X_placeholder, {name: tf.constant(value) for name, value in parameters.items()})
            with tf.compat.v1.Session() as session:
                graph_Z3 = session.run(Z3, {X_placeholder: X})
        eager_Z3 = tf2.forward_propagation(tf.constant(X), {name: tf.constant(value) for name, value in parameters.items()})
        np.testing.assert_array_equal(eager_Z3.numpy(), graph_Z3)
    # The same cross-entropy, reduced differently: compat.v1 and Keras' default take the mean, the edition sums.
    logits = expected.TF2_LOSS_TEST1_LOGITS.astype(np.float32)
    one_hot = convert_to_one_hot(np.array(expected.TF2_LOSS_TEST1_CLASSES), 6).astype(np.float32)
    with tf.Graph().as_default():
        with tf.compat.v1.Session() as session:
            assert_expected(session.run(assignment.compute_cost(tf.constant(logits), tf.constant(one_hot))), expected.TF2_MEAN_COST_TEST1)
    assert_expected(keras.losses.CategoricalCrossentropy(from_logits=True)(one_hot.T, logits.T).numpy(), expected.TF2_MEAN_COST_TEST1)
    summed = keras.losses.CategoricalCrossentropy(from_logits=True, reduction="sum")(one_hot.T, logits.T).numpy()
    assert summed.tobytes() == tf2.compute_total_loss(logits, one_hot).numpy().tobytes()
    assert_expected(summed, expected.TF2_TOTAL_LOSS_TEST1)
