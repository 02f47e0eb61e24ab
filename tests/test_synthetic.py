"""The embedded default generator: schema, counts, determinism, order, and that it draws hands."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from tfsigns import data, synthetic

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_set():
    """The full seed-0 set (1080 + 120 images), generated once for the module."""
    start = time.perf_counter()
    arrays = synthetic.generate(seed=0)
    print(f"generated 1200 images in {time.perf_counter() - start:.2f} s")
    return arrays


def _digest(arrays):
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    return digest.hexdigest()


def test_generate_has_the_course_schema_and_counts(default_set):
    assert sorted(default_set) == ["list_classes", "test_set_x", "test_set_y", "train_set_x", "train_set_y"]
    assert default_set["train_set_x"].dtype == np.uint8
    assert default_set["train_set_x"].shape == (1080, 64, 64, 3)
    assert default_set["train_set_y"].dtype == np.int64
    assert default_set["train_set_y"].shape == (1080,)
    assert default_set["test_set_x"].dtype == np.uint8
    assert default_set["test_set_x"].shape == (120, 64, 64, 3)
    assert default_set["test_set_y"].dtype == np.int64
    assert default_set["test_set_y"].shape == (120,)
    assert default_set["list_classes"].dtype == np.int64
    assert default_set["list_classes"].tolist() == [0, 1, 2, 3, 4, 5]


def test_generate_balances_the_classes(default_set):
    assert np.bincount(default_set["train_set_y"]).tolist() == [180] * 6
    assert np.bincount(default_set["test_set_y"]).tolist() == [20] * 6


def test_generate_honours_the_counts_per_class():
    arrays = synthetic.generate(seed=0, n_train_per_class=5, n_test_per_class=2)
    assert arrays["train_set_x"].shape == (30, 64, 64, 3)
    assert np.bincount(arrays["train_set_y"]).tolist() == [5] * 6
    assert arrays["test_set_x"].shape == (12, 64, 64, 3)
    assert np.bincount(arrays["test_set_y"]).tolist() == [2] * 6


def test_generate_is_deterministic_for_a_seed():
    first = synthetic.generate(seed=3, n_train_per_class=8, n_test_per_class=2)
    second = synthetic.generate(seed=3, n_train_per_class=8, n_test_per_class=2)
    for key in first:
        assert first[key].tobytes() == second[key].tobytes(), key


def test_generate_differs_between_seeds():
    first = synthetic.generate(seed=3, n_train_per_class=8, n_test_per_class=2)
    other = synthetic.generate(seed=4, n_train_per_class=8, n_test_per_class=2)
    assert first["train_set_x"].tobytes() != other["train_set_x"].tobytes()
    assert first["test_set_x"].tobytes() != other["test_set_x"].tobytes()


def test_generate_gives_the_recorded_bytes_for_seed_0(default_set):
    # Same bytes on every machine; if this changes on purpose, bump
    # GENERATOR_VERSION and update data/README.md.
    assert _digest(default_set) == "a007d6fde92f092bb86f91d341f16ee8b22e7976f7312a7262190d7645c237e8"


def test_test_split_does_not_depend_on_the_train_count():
    # Separate random streams per split.
    small = synthetic.generate(seed=0, n_train_per_class=2, n_test_per_class=2)
    large = synthetic.generate(seed=0, n_train_per_class=4, n_test_per_class=2)
    assert small["test_set_x"].tobytes() == large["test_set_x"].tobytes()


def test_order_is_shuffled_not_sorted_by_class(default_set):
    y = default_set["train_set_y"]
    assert not np.all(np.diff(y) >= 0)
    # Every class shows up early, and no class runs on for long.
    assert set(y[:30].tolist()) == {0, 1, 2, 3, 4, 5}
    longest_run = max(len(run) for run in np.split(y, np.flatnonzero(np.diff(y)) + 1))
    assert longest_run < 8


def test_no_test_image_repeats_a_training_image(default_set):
    train = {image.tobytes() for image in default_set["train_set_x"]}
    assert not any(image.tobytes() in train for image in default_set["test_set_x"])


def _skin_fraction(x):
    """Share of pixels that are skin, per image: skin is much redder than blue; the wall is grey."""
    x = x.astype(np.int16)
    return ((x[..., 0] - x[..., 2]) > 35).mean(axis=(1, 2))


def test_more_fingers_show_more_skin(default_set):
    fraction = _skin_fraction(default_set["train_set_x"])
    y = default_set["train_set_y"]
    per_class = [fraction[y == label].mean() for label in range(6)]
    assert np.all(np.diff(per_class) > 0), per_class
    # A hand on a wall: some skin in every picture, never most of it.
    assert fraction.min() > 0.03
    assert fraction.max() < 0.6


def test_the_wall_is_light_and_the_pictures_vary(default_set):
    x = default_set["train_set_x"]
    top_row = x[:, 0, :, :].astype(float)
    assert 170 < top_row.mean() < 250
    assert (x.reshape(len(x), -1).std(axis=1) > 10).all()


def test_write_h5_writes_gzip_files_that_validate(tmp_path):
    train_path, test_path = synthetic.write_h5(tmp_path / "out", seed=0)
    assert (train_path, test_path) == (tmp_path / "out" / "train_signs.h5", tmp_path / "out" / "test_signs.h5")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["test_signs.h5", "train_signs.h5"]
    with h5py.File(train_path, "r") as h5:
        assert sorted(h5.keys()) == ["list_classes", "train_set_x", "train_set_y"]
        assert h5["train_set_x"].compression == "gzip"
        assert h5.attrs["generator_version"] == synthetic.GENERATOR_VERSION
    x, y, classes = data.validate(train_path, "train")
    assert x.shape == (1080, 64, 64, 3)
    assert np.bincount(y).tolist() == [180] * 6
    x, y, classes = data.validate(test_path, "test")
    assert x.shape == (120, 64, 64, 3)
    assert classes.tolist() == [0, 1, 2, 3, 4, 5]


def test_embedded_default_dir_generates_once_into_the_versioned_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TFSIGNS_CACHE", str(tmp_path / "cache"))
    directory = data.embedded_default_dir()
    assert directory == tmp_path / "cache" / f"embedded-v{synthetic.GENERATOR_VERSION}"
    stamp = (directory / "train_signs.h5").stat().st_mtime_ns
    assert data.embedded_default_dir() == directory
    assert (directory / "train_signs.h5").stat().st_mtime_ns == stamp


def test_embedded_default_dir_completes_a_half_filled_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TFSIGNS_CACHE", str(tmp_path / "cache"))
    directory = data.embedded_default_dir()
    (directory / "test_signs.h5").unlink()
    data.embedded_default_dir()
    data.validate(directory / "test_signs.h5", "test")


def test_concurrent_processes_each_load_whole_files(tmp_path):
    # Two processes race to generate the same cache: both must load valid data.
    env = dict(os.environ, TFSIGNS_CACHE=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop("TFSIGNS_DATA", None)
    code = "from tfsigns import data; x = data.load_dataset()[0]; print(x.shape)"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.strip() == "(1080, 64, 64, 3)"
    leftovers = [p.name for p in (tmp_path / "cache" / f"embedded-v{synthetic.GENERATOR_VERSION}").iterdir()]
    assert sorted(leftovers) == ["test_signs.h5", "train_signs.h5"]
