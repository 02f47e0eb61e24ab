"""Prediction from image files and the `predict` command: same answers as the array path, clear errors."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfsigns import cli, data, prediction
from tfsigns.commands.predict import DEFAULT_PARAMETERS
from tfsigns.params import PARAMETER_SHAPES, load_parameters, save_parameters
from tfsigns.tf_utils import convert_to_one_hot, flatten_images, forward_propagation_for_predict
from tfsigns.tf_utils import predict as course_predict

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def signs(nearcopy_dir):
    """The near-copy train set and the official test set: x uint8 (m, 64, 64, 3), y (1, m)."""
    return data.load_dataset(nearcopy_dir)


@pytest.fixture(scope="module")
def parameters_file(signs, tmp_path_factory):
    """Parameters of a short real training run (20 epochs on the near-copy, ~2 s), saved once."""
    from tfsigns import assignment

    train_x, train_y, test_x, test_y, _ = signs
    result = assignment.train(
        flatten_images(train_x), convert_to_one_hot(train_y, 6),
        flatten_images(test_x), convert_to_one_hot(test_y, 6),
        num_epochs=20, print_cost=False,
    )
    path = tmp_path_factory.mktemp("params") / "short.npz"
    return save_parameters(path, result.parameters, {"num_epochs": 20, "test_accuracy": result.test_accuracy})


@pytest.fixture(scope="module")
def parameters(parameters_file):
    return load_parameters(parameters_file)[0]


@pytest.fixture
def good_image(signs, tmp_path):
    """One official test image as a PNG."""
    path = tmp_path / "good.png"
    Image.fromarray(signs[2][0]).save(path)
    return path


def _run(capsys, *argv):
    code = cli.main(["predict", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


# The array path and the file path --------------------------------------


def test_cli_on_the_120_test_images_as_png_gives_the_array_paths_predictions(signs, parameters, parameters_file, tmp_path, capsys):
    _, _, test_x, test_y, _ = signs
    paths = []
    for i, pixels in enumerate(test_x):
        paths.append(tmp_path / f"test_{i:03d}.png")
        Image.fromarray(pixels).save(paths[-1])

    code, out, err = _run(capsys, *paths, "--params", parameters_file)

    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 120
    array_labels = course_predict(flatten_images(test_x), parameters)  # (120,)
    probabilities = prediction.softmax(forward_propagation_for_predict(flatten_images(test_x), parameters))
    for i, line in enumerate(lines):
        assert line == f"{paths[i]}: y = {array_labels[i]} (probability {probabilities[array_labels[i], i]:.3f})"
    cli_labels = np.array([int(line.split(" y = ")[1].split()[0]) for line in lines])
    np.testing.assert_array_equal(cli_labels, array_labels)
    # So the accuracy is the same too, and it is the one training measured in
    # TensorFlow (float32 there: 1e-6). 20 epochs are already well above chance (1/6).
    accuracy = np.mean(cli_labels == test_y[0])
    np.testing.assert_allclose(accuracy, load_parameters(parameters_file)[1]["test_accuracy"], rtol=0, atol=1e-6)
    assert accuracy > 0.25


def test_predict_array_class_is_the_course_predict_and_probabilities_are_a_softmax(signs, parameters):
    X = flatten_images(signs[2])
    labels, probabilities = prediction.predict_array(X, parameters)
    np.testing.assert_array_equal(labels, course_predict(X, parameters))
    assert probabilities.shape == (6, 120)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.argmax(probabilities, axis=0), labels)


def test_softmax_values_and_no_overflow():
    Z = np.array([[0.0, 1000.0], [np.log(3.0), 1000.0]])  # (2 classes, 2 columns)
    np.testing.assert_allclose(prediction.softmax(Z), [[0.25, 0.5], [0.75, 0.5]], rtol=0, atol=1e-15)


def test_verbose_prints_the_six_probabilities_and_how_the_file_was_read(good_image, parameters_file, parameters, signs, capsys):
    code, out, err = _run(capsys, good_image, "--params", parameters_file, "--verbose")
    assert code == 0 and err == ""
    label, probabilities = prediction.predict_array(flatten_images(signs[2][:1]), parameters)
    lines = out.splitlines()
    assert lines[0] == f"parameters: {parameters_file} (20 epochs, test accuracy {load_parameters(parameters_file)[1]['test_accuracy']:.6g})"
    assert lines[1] == f"{good_image}: y = {label[0]} (probability {probabilities[label[0], 0]:.3f})"
    assert lines[2] == "  probabilities: " + "  ".join(f"{c}: {p:.3f}" for c, p in enumerate(probabilities[:, 0]))
    assert lines[3] == "  read: PNG 64x64 RGB"
    assert len(lines) == 4


def test_phone_photos_are_predicted(shared_images, parameters_file, capsys):
    photos = [shared_images / "thumbs_up.jpg", shared_images / "my_image.jpg"]
    code, out, err = _run(capsys, *photos, "--params", parameters_file)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 2
    for photo, line in zip(photos, lines):
        assert line.startswith(f"{photo}: y = ")


def test_plot_is_written(good_image, parameters_file, tmp_path, capsys):
    plot = tmp_path / "prediction.png"
    code, out, err = _run(capsys, good_image, "--params", parameters_file, "--plot", plot)
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == f"prediction plot saved to {plot}"
    with Image.open(plot) as picture:
        assert picture.format == "PNG" and picture.width > 500


# Bad input: one line per problem, the good images still predicted -------


def test_every_bad_image_is_one_error_line_and_the_good_ones_are_predicted(good_image, parameters_file, tmp_path, capsys):
    missing = tmp_path / "missing.jpg"
    directory = tmp_path / "folder"
    directory.mkdir()
    text = tmp_path / "notes.png"
    text.write_text("hello\n")
    truncated = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:6000])
    bomb = tmp_path / "bomb.png"
    Image.new("RGB", (100, 100)).save(bomb)  # declared 10,000 pixels, over the lowered limit below
    second_good = tmp_path / "second.png"
    second_good.write_bytes(good_image.read_bytes())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Image, "MAX_IMAGE_PIXELS", 4096)  # 64x64 still passes; 100x100 is over 2x
        code, out, err = _run(capsys, missing, good_image, directory, text, truncated, bomb, second_good, "--params", parameters_file)

    assert code == 1
    assert err.splitlines() == [
        f"error: {missing}: no such file",
        f"error: {directory}: is a directory, expected an image file",
        f"error: {text}: not an image Pillow can read",
        f"error: {truncated}: truncated image (image file is truncated)",
        f"error: {bomb}: image too large (10,000 pixels; tfsigns reads at most 8,192)",
    ]
    lines = out.splitlines()
    assert [line.split(": y = ")[0] for line in lines] == [str(good_image), str(second_good)]
    assert lines[0].split(": ", 1)[1] == lines[1].split(": ", 1)[1]  # same picture, same answer


def test_only_bad_images_exit_non_zero(tmp_path, parameters_file, capsys):
    code, out, err = _run(capsys, tmp_path / "a.jpg", "--params", parameters_file)
    assert code == 1 and out == ""
    assert err == f"error: {tmp_path / 'a.jpg'}: no such file\n"


def test_missing_parameters_file_says_how_to_make_one(good_image, tmp_path, capsys):
    params = tmp_path / "none.npz"
    code, out, err = _run(capsys, good_image, "--params", params)
    assert code == 2 and out == ""
    assert err == (
        f"error: {params}: parameters file not found; make one with "
        f"`python -m tfsigns train --out {params}` or pass --params FILE\n"
    )


def test_default_parameters_file_is_in_the_working_directory(good_image, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, good_image)
    assert code == 2 and out == ""
    assert err == (
        f"error: {DEFAULT_PARAMETERS}: parameters file not found; make one with "
        f"`python -m tfsigns train --out {DEFAULT_PARAMETERS}` or pass --params FILE\n"
    )


def test_corrupt_parameters_file(good_image, parameters_file, tmp_path, capsys):
    params = tmp_path / "cut.npz"
    params.write_bytes(parameters_file.read_bytes()[:1000])
    code, out, err = _run(capsys, good_image, "--params", params)
    assert code == 2 and out == ""
    assert err == f"error: {params}: corrupt or truncated .npz file (File is not a zip file)\n"


def test_parameters_of_the_wrong_shape(good_image, tmp_path, capsys):
    arrays = {name: np.zeros(shape, np.float32) for name, shape in PARAMETER_SHAPES.items()}
    arrays["W1"] = np.zeros((25, 64 * 64), np.float32)  # a grayscale network
    params = tmp_path / "gray.npz"
    np.savez(params, **arrays)
    code, out, err = _run(capsys, good_image, "--params", params)
    assert code == 2 and out == ""
    assert err == f"error: {params}: W1 has shape (25, 4096), expected (25, 12288)\n"


def test_plot_into_a_missing_folder_fails_before_reading_images(good_image, parameters_file, tmp_path, capsys):
    plot = tmp_path / "no" / "p.png"
    code, out, err = _run(capsys, good_image, "--params", parameters_file, "--plot", plot)
    assert code == 2 and out == ""
    assert err == f"error: --plot: folder {tmp_path / 'no'} does not exist (received {str(plot)!r})\n"


def test_entry_point_reports_bad_files_without_a_traceback(good_image, parameters_file, tmp_path):
    """One real `python -m tfsigns` run: the lines a user sees, and the exit code."""
    missing = tmp_path / "missing.jpg"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "tfsigns", "predict", str(good_image), str(missing), "--params", str(parameters_file)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert completed.returncode == 1
    assert completed.stderr == f"error: {missing}: no such file\n"
    assert completed.stdout.startswith(f"{good_image}: y = ") and len(completed.stdout.splitlines()) == 1


def test_entry_point_refuses_an_image_over_max_pixels_in_one_line(parameters_file, tmp_path):
    """A real 8000x8000 PNG (tens of kilobytes, 64 megapixels): one error line, nothing decoded."""
    huge = tmp_path / "huge.png"
    Image.new("L", (8000, 8000)).save(huge, optimize=True)
    assert huge.stat().st_size < 1_000_000
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "tfsigns", "predict", str(huge), "--params", str(parameters_file)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert completed.stderr == (
        f"error: {huge}: image too large (8000x8000 = 64,000,000 pixels; tfsigns reads at most 50,000,000)\n"
    )
    assert completed.returncode == 1  # predict's code when an image was not predicted (2: nothing could start)
    assert completed.stdout == ""
