"""`python -m tfsigns train` end to end, as a user runs it."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tfsigns import expected
from tfsigns.commands import check_writable
from tfsigns.params import load_parameters

COST_LINE = re.compile(r"^Cost after epoch (\d+): (\d+\.\d{6})$")
ROOT = Path(__file__).resolve().parents[1]


def run_tfsigns(*args, cwd=None, env=None):
    # PYTHONPATH: the checkout under test, also with another cwd (not an installed copy).
    return subprocess.run(
        [sys.executable, "-m", "tfsigns", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def printed_costs(stdout):
    return {int(m.group(1)): float(m.group(2)) for m in map(COST_LINE.match, stdout.splitlines()) if m}


def test_train_101_epochs_on_nearcopy_prints_the_reference_costs(nearcopy_dir, tmp_path):
    out = tmp_path / "parameters.npz"
    completed = run_tfsigns("train", "--data-dir", str(nearcopy_dir), "--epochs", "101", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    costs = printed_costs(completed.stdout)
    assert sorted(costs) == [0, 100]
    for epoch, want in expected.NEARCOPY_EPOCH_COSTS.items():
        np.testing.assert_allclose(costs[epoch], want.value, rtol=want.rtol, atol=want.atol)
    lines = completed.stdout.splitlines()
    assert "train_signs.h5 not the official file" in lines[0]
    accuracy = dict(line.split(": ") for line in lines if line.startswith(("Train Accuracy", "Test Accuracy")))
    for key, name in (("Train Accuracy", "train"), ("Test Accuracy", "test")):
        want = expected.NEARCOPY_ACCURACY_101_EPOCHS[name]
        np.testing.assert_allclose(float(accuracy[key]), want.value, atol=want.atol)
    parameters, metadata = load_parameters(out)
    assert metadata["edition"] == "v3" and metadata["num_epochs"] == 101
    assert metadata["train_status"] == "not the official file" and metadata["test_status"] == "official"
    assert parameters["W1"].shape == (25, 12288)


def test_train_runs_on_the_embedded_default_with_no_data_anywhere(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    completed = run_tfsigns("train", "--epochs", "2", cwd=empty, env={"TFSIGNS_CACHE": str(tmp_path / "cache")})
    assert completed.returncode == 0, completed.stderr
    assert "embedded default" in completed.stdout.splitlines()[0]
    assert list(printed_costs(completed.stdout)) == [0]
    assert completed.stdout.splitlines()[-1].startswith("Test Accuracy: ")
    assert completed.stderr == ""  # no TensorFlow start-up noise, no progress line when piped
    assert list(empty.iterdir()) == []  # nothing written into the working directory


def test_train_v3b_edition_scales_the_printed_cost(nearcopy_dir, capsys):
    from tfsigns import cli

    assert cli.main(["train", "--data-dir", str(nearcopy_dir), "--epochs", "1", "--edition", "v3b", "--quiet"]) == 0
    cost = printed_costs(capsys.readouterr().out)[0]
    want = expected.NEARCOPY_EPOCH_COSTS[0]
    np.testing.assert_allclose(cost, round(want.value * 33 / 32, 6), atol=want.atol * 33 / 32)


def test_train_bad_arguments_exit_non_zero_with_one_line(tmp_path):
    completed = run_tfsigns("train", "--epochs", "0")
    assert completed.returncode == 2
    assert "--epochs: expected a positive integer, received '0'" in completed.stderr
    missing = tmp_path / "nowhere" / "p.npz"
    completed = run_tfsigns("train", "--epochs", "1", "--out", str(missing), cwd=tmp_path, env={"TFSIGNS_CACHE": str(tmp_path / "cache")})
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [f"error: --out: folder {missing.parent} does not exist (received {str(missing)!r})"]


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_train_refuses_an_unwritable_output_folder_before_training(tmp_path):
    # /sys: os.access() says writable to root, but no file can be created there.
    for args in (
        ("--out", "/sys/x.npz"),
        ("--plot", "/sys/kernel/x.png"),
        ("--edition", "tf2", "--out", "/sys/x.npz"),
    ):
        completed = run_tfsigns("train", "--epochs", "1", *args, env={"TFSIGNS_CACHE": str(tmp_path / "cache")})
        flag, path = args[-2:]
        assert completed.returncode == 2
        assert completed.stderr.splitlines() == [
            f"error: {flag}: folder {Path(path).parent} is not writable (Permission denied; received {path!r})"
        ]
        assert "Cost after epoch" not in completed.stdout
        assert completed.stdout == ""  # not even the data line: refused before the data is read


def test_check_writable_leaves_no_file_behind(tmp_path):
    check_writable(str(tmp_path / "parameters.npz"), "--out")
    assert list(tmp_path.iterdir()) == []


def test_train_rejects_a_learning_rate_that_is_not_positive():
    for text in ("-1", "0", "nan", "inf", "fast"):
        completed = run_tfsigns("train", "--learning-rate", text)
        assert completed.returncode == 2
        assert f"--learning-rate: expected a positive number, received {text!r}" in completed.stderr
        assert "Traceback" not in completed.stderr


def test_train_v3_rejects_a_minibatch_larger_than_the_training_set(nearcopy_dir, tmp_path):
    # Edition v3 would divide the epoch cost by int(1080 / 2000) = 0: one line, before any training.
    completed = run_tfsigns("train", "--data-dir", str(nearcopy_dir), "--minibatch-size", "2000", "--quiet", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "error: --minibatch-size: edition v3 divides the epoch cost by int(m / minibatch_size), which is 0 "
        "for m = 1080 training examples; use at most 1080 or edition v3b; received 2000"
    ]
    assert "Cost after epoch" not in completed.stdout


# --- The TF2 edition (--edition tf2 | tf2-mean | tf2-early) -----------------------------

TF2_ACCURACY_LINE = re.compile(r"^(Train accuracy|Test_accuracy): tf\.Tensor\((\d\.\d+), shape=\(\), dtype=float32\)$")


def test_train_tf2_prints_the_notebooks_lines_and_saves_parameters_predict_reads(nearcopy_dir, shared_images, tmp_path):
    out, plot = tmp_path / "tf2.npz", tmp_path / "tf2.png"
    completed = run_tfsigns(
        "train", "--edition", "tf2", "--data-dir", str(nearcopy_dir), "--epochs", "11", "--out", str(out), "--plot", str(plot), "--quiet"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    lines = completed.stdout.splitlines()
    assert "train_signs.h5 not the official file" in lines[0]
    assert COST_LINE.match(lines[1]) and COST_LINE.match(lines[4])
    assert [TF2_ACCURACY_LINE.match(line).group(1) for line in lines[2:4] + lines[5:7]] == ["Train accuracy", "Test_accuracy"] * 2
    costs = printed_costs(completed.stdout)
    assert sorted(costs) == [0, 10]
    for epoch, cost in costs.items():
        want = expected.TF2_NEARCOPY_RUNS["tf2"][epoch][0]
        np.testing.assert_allclose(cost, want.value, atol=want.atol)
    assert lines[7:] == [f"parameters saved to {out}", f"cost curve saved to {plot}"]
    assert plot.read_bytes().startswith(b"\x89PNG")
    parameters, metadata = load_parameters(out)
    assert metadata["edition"] == "tf2" and metadata["num_epochs"] == 11
    assert {name: value.shape for name, value in parameters.items()} == expected.PARAMETER_SHAPES
    predicted = run_tfsigns("predict", str(shared_images / "thumbs_up.jpg"), "--params", str(out))
    assert predicted.returncode == 0, predicted.stderr
    assert re.search(r"thumbs_up\.jpg: y = [0-5] \(probability \d\.\d{3}\)", predicted.stdout)


def test_train_tf2_mean_and_early_print_their_families_costs(nearcopy_dir, capsys):
    from tfsigns import cli

    assert cli.main(["train", "--edition", "tf2-mean", "--data-dir", str(nearcopy_dir), "--epochs", "1", "--quiet"]) == 0
    want = expected.TF2_NEARCOPY_RUNS["tf2-mean"][0][0]
    np.testing.assert_allclose(printed_costs(capsys.readouterr().out)[0], want.value, atol=want.atol)
    assert cli.main(["train", "--edition", "tf2-early", "--data-dir", str(nearcopy_dir), "--epochs", "1", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    want = expected.TF2_EARLY_NEARCOPY_COSTS[0]
    np.testing.assert_allclose(printed_costs("\n".join(lines))[0], want.value, atol=want.atol)
    assert lines[-1] == "Parameters have been trained!"


def test_train_tf2_bad_input_is_one_line(nearcopy_dir, tmp_path):
    completed = run_tfsigns("train", "--edition", "tf2", "--backend", "keras", "--epochs", "1", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "error: --backend: the TF2 editions run their own eager loop (tfsigns.tf2); --backend applies to v3 and v3b; received keras"
    ]
    completed = run_tfsigns("train", "--edition", "tf2-early", "--data-dir", str(nearcopy_dir), "--minibatch-size", "2000", "--quiet", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "error: --minibatch-size: edition tf2-early drops the last partial minibatch, so it must be at most "
        "m = 1080 training examples; received 2000"
    ]
    completed = run_tfsigns("train", "--edition", "tf3")
    assert completed.returncode == 2 and "invalid choice: 'tf3'" in completed.stderr
    assert "Traceback" not in completed.stderr
