"""Data layer: fingerprints, where the data comes from, loading, and one-line errors for bad files."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from tfsigns import cli, data
from tfsigns.commands import data as data_command
from tfsigns.errors import DataError

ROOT = Path(__file__).resolve().parents[1]


def _write_h5(path, **datasets):
    with h5py.File(path, "w") as h5:
        for key, value in datasets.items():
            h5.create_dataset(key, data=value)
    return path


def _valid_train(**overrides):
    """A small train file's datasets (m = 3) that pass validation; `overrides` replace or drop (None) keys."""
    datasets = {
        "train_set_x": np.zeros((3, 64, 64, 3), dtype=np.uint8),
        "train_set_y": np.array([0, 1, 5], dtype=np.int64),
        "list_classes": np.arange(6, dtype=np.int64),
    }
    datasets.update(overrides)
    return {key: value for key, value in datasets.items() if value is not None}


def _fake_data_dir(directory):
    """A folder with both file names present (contents not SIGNS: enough for resolving)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "train_signs.h5").write_bytes(b"train " + directory.name.encode())
    (directory / "test_signs.h5").write_bytes(b"test " + directory.name.encode())
    return directory


# ---------------------------------------------------------------------------
# Fingerprints


def test_git_blob_id_of_hello_matches_git():
    # `printf 'hello\n' | git hash-object --stdin`
    assert data.git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_git_blob_id_of_empty_content_matches_git():
    assert data.git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_train_fingerprint_is_the_git_blob_id_of_the_file(tmp_path):
    content = bytes(range(256)) * 5000  # several hashing chunks
    path = tmp_path / "blob.bin"
    path.write_bytes(content)
    assert data.fingerprint(path, "train") == data.git_blob_id(content)


def test_official_test_file_is_official(shared_signs):
    path = shared_signs / "test_signs.h5"
    assert path.stat().st_size == data.TEST_SIZE
    assert data.fingerprint(path, "test") == data.TEST_SHA256
    assert data.file_status(path, "test") == "official"


def test_nearcopy_is_not_the_official_train_file(shared_signs):
    assert data.file_status(shared_signs / "train_signs_nearcopy.h5", "train") == "not the official file"


def test_official_test_file_is_not_the_official_train_file(shared_signs):
    assert data.file_status(shared_signs / "test_signs.h5", "train") == "not the official file"


def test_file_status_hashes_an_unchanged_file_once(tmp_path, monkeypatch):
    path = tmp_path / "test_signs.h5"
    path.write_bytes(b"x" * 1000)
    calls = []
    real_hash = data._hash_file
    monkeypatch.setattr(data, "_hash_file", lambda *args: calls.append(args) or real_hash(*args))
    assert data.file_status(path, "test") == "not the official file"
    assert data.file_status(path, "test") == "not the official file"
    assert len(calls) == 1


def test_file_status_rehashes_a_changed_file(tmp_path):
    path = tmp_path / "test_signs.h5"
    path.write_bytes(b"first")
    first = data.fingerprint(path, "test")
    path.write_bytes(b"second, longer")
    assert data.fingerprint(path, "test") != first


def test_file_status_of_a_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError) as error:
        data.file_status(tmp_path / "nope.h5", "test")
    assert str(error.value) == f"{tmp_path / 'nope.h5'}: not found"


# ---------------------------------------------------------------------------
# Where the data comes from


@pytest.fixture
def all_sources(tmp_path, monkeypatch):
    """Every source present: an argument folder, TFSIGNS_DATA, ./data and ./datasets."""
    argument = _fake_data_dir(tmp_path / "argument")
    environment = _fake_data_dir(tmp_path / "environment")
    work = tmp_path / "work"
    _fake_data_dir(work / "data")
    _fake_data_dir(work / "datasets")
    monkeypatch.chdir(work)
    monkeypatch.setenv("TFSIGNS_DATA", str(environment))
    return {"argument": argument, "environment": environment, "work": work}


def test_argument_comes_first(all_sources):
    source = data.resolve_data_dir(all_sources["argument"])
    assert source.kind == "argument"
    assert source.directory == all_sources["argument"]
    assert source.train_path == all_sources["argument"] / "train_signs.h5"
    assert source.test_path == all_sources["argument"] / "test_signs.h5"


def test_environment_comes_before_the_working_directory(all_sources):
    source = data.resolve_data_dir()
    assert source.kind == "environment"
    assert source.directory == all_sources["environment"]


def test_data_folder_comes_before_datasets(all_sources, monkeypatch):
    monkeypatch.delenv("TFSIGNS_DATA")
    source = data.resolve_data_dir()
    assert source.kind == "working directory"
    assert source.directory == all_sources["work"] / "data"


def test_datasets_folder_is_used_when_data_lacks_a_file(all_sources, monkeypatch):
    monkeypatch.delenv("TFSIGNS_DATA")
    (all_sources["work"] / "data" / "test_signs.h5").unlink()
    source = data.resolve_data_dir()
    assert source.kind == "working directory"
    assert source.directory == all_sources["work"] / "datasets"


def test_embedded_default_is_the_last_resort(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = data.resolve_data_dir()
    assert source.kind == "embedded default"
    assert source.directory == data.cache_dir() / "embedded-v1"
    assert source.train_status == "embedded default"
    assert source.test_status == "embedded default"
    assert source.describe() == (
        f"data: {source.directory} (embedded default: generated by tfsigns, not the course's data)"
    )


def test_relative_argument_is_made_absolute(all_sources):
    source = data.resolve_data_dir("data")
    assert source.directory == all_sources["work"] / "data"


def test_argument_lacking_a_file_is_an_error_not_a_fallback(all_sources):
    (all_sources["argument"] / "test_signs.h5").unlink()
    with pytest.raises(DataError) as error:
        data.resolve_data_dir(all_sources["argument"])
    missing = all_sources["argument"] / "test_signs.h5"
    assert str(error.value) == (
        f"{missing}: not found (the data directory given by --data-dir must hold train_signs.h5 and test_signs.h5)"
    )


def test_environment_lacking_a_file_is_an_error_not_a_fallback(all_sources):
    (all_sources["environment"] / "train_signs.h5").unlink()
    with pytest.raises(DataError) as error:
        data.resolve_data_dir()
    missing = all_sources["environment"] / "train_signs.h5"
    assert str(error.value) == (
        f"{missing}: not found (the data directory given by TFSIGNS_DATA must hold train_signs.h5 and test_signs.h5)"
    )


def test_missing_argument_folder_is_an_error(tmp_path):
    with pytest.raises(DataError) as error:
        data.resolve_data_dir(tmp_path / "nowhere")
    assert str(error.value) == f"{tmp_path / 'nowhere'}: data directory not found (given by --data-dir)"


def test_describe_names_the_source_and_each_status(nearcopy_dir):
    source = data.resolve_data_dir(nearcopy_dir)
    assert (source.train_status, source.test_status) == ("not the official file", "official")
    assert not source.official
    assert source.describe() == (
        f"data: {nearcopy_dir} (from --data-dir): train_signs.h5 not the official file, test_signs.h5 official"
    )


def test_describe_for_the_working_directory(nearcopy_dir, tmp_path, monkeypatch):
    (tmp_path / "datasets").symlink_to(nearcopy_dir)
    monkeypatch.chdir(tmp_path)
    source = data.resolve_data_dir()
    assert source.describe() == (
        f"data: {tmp_path / 'datasets'} (found ./datasets in the working directory): "
        "train_signs.h5 not the official file, test_signs.h5 official"
    )


# ---------------------------------------------------------------------------
# Loading


def test_load_dataset_returns_the_course_arrays(nearcopy_dir):
    train_x, train_y, test_x, test_y, classes = data.load_dataset(nearcopy_dir)
    assert train_x.dtype == np.uint8 and train_x.shape == (1080, 64, 64, 3)
    assert train_y.dtype == np.int64 and train_y.shape == (1, 1080)
    assert test_x.dtype == np.uint8 and test_x.shape == (120, 64, 64, 3)
    assert test_y.dtype == np.int64 and test_y.shape == (1, 120)
    assert classes.dtype == np.int64 and classes.tolist() == [0, 1, 2, 3, 4, 5]
    assert np.bincount(train_y[0]).tolist() == [180] * 6
    assert np.bincount(test_y[0]).tolist() == [20] * 6
    # The official test file's first labels, as stored.
    assert test_y[0, :12].tolist() == [0, 0, 0, 5, 1, 0, 3, 1, 5, 1, 5, 1]


def test_load_dataset_accepts_a_resolved_source(nearcopy_dir):
    source = data.resolve_data_dir(nearcopy_dir)
    test_y = data.load_dataset(source=source)[3]
    assert test_y.shape == (1, 120)


def test_load_dataset_uses_the_embedded_default_when_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train_x, train_y, test_x, test_y, classes = data.load_dataset()
    assert train_x.shape == (1080, 64, 64, 3) and train_y.shape == (1, 1080)
    assert test_x.shape == (120, 64, 64, 3) and test_y.shape == (1, 120)
    assert np.bincount(train_y[0]).tolist() == [180] * 6


# ---------------------------------------------------------------------------
# Bad files: one line naming the file and the problem


def _truncated(tmp_path, shared_signs):
    path = tmp_path / "train_signs.h5"
    path.write_bytes((shared_signs / "test_signs.h5").read_bytes()[:100_000])
    return path


BAD_TRAIN_FILES = {
    "missing file": (lambda p: None, "{path}: not found"),
    "directory": (lambda p: p.mkdir(), "{path}: is a directory, expected an HDF5 file"),
    "empty file": (lambda p: p.write_bytes(b""), "{path}: is empty (0 bytes), expected an HDF5 file"),
    "missing key": (
        lambda p: _write_h5(p, **_valid_train(train_set_y=None)),
        "{path}: missing key 'train_set_y' (the file has keys: list_classes, train_set_x)",
    ),
    "image dtype": (
        lambda p: _write_h5(p, **_valid_train(train_set_x=np.zeros((3, 64, 64, 3), dtype=np.float32))),
        "{path}: train_set_x has dtype float32, expected uint8",
    ),
    "label dtype": (
        lambda p: _write_h5(p, **_valid_train(train_set_y=np.array([0.0, 1.0, 2.0]))),
        "{path}: train_set_y has dtype float64, expected an integer type (int64)",
    ),
    "image shape": (
        lambda p: _write_h5(p, **_valid_train(train_set_x=np.zeros((3, 64, 64), dtype=np.uint8))),
        "{path}: train_set_x has shape (3, 64, 64), expected (m, 64, 64, 3)",
    ),
    "image size": (
        lambda p: _write_h5(p, **_valid_train(train_set_x=np.zeros((3, 32, 32, 3), dtype=np.uint8))),
        "{path}: train_set_x has shape (3, 32, 32, 3), expected (m, 64, 64, 3)",
    ),
    "label shape": (
        lambda p: _write_h5(p, **_valid_train(train_set_y=np.array([[0, 1, 5]]))),
        "{path}: train_set_y has shape (1, 3), expected (m,)",
    ),
    "label count": (
        lambda p: _write_h5(p, **_valid_train(train_set_y=np.array([0, 1]))),
        "{path}: train_set_x has 3 images but train_set_y has 2 labels",
    ),
    "no images": (
        lambda p: _write_h5(
            p,
            **_valid_train(
                train_set_x=np.zeros((0, 64, 64, 3), dtype=np.uint8), train_set_y=np.zeros(0, dtype=np.int64)
            ),
        ),
        "{path}: train_set_x holds no images (shape (0, 64, 64, 3))",
    ),
    "labels outside 0..5": (
        lambda p: _write_h5(p, **_valid_train(train_set_y=np.array([0, -1, 6]))),
        "{path}: train_set_y has labels outside 0..5: -1, 6 (first at index 1)",
    ),
    "list_classes values": (
        lambda p: _write_h5(p, **_valid_train(list_classes=np.array([1, 2, 3, 4, 5, 6]))),
        "{path}: list_classes is [1, 2, 3, 4, 5, 6], expected [0, 1, 2, 3, 4, 5]",
    ),
    "list_classes shape": (
        lambda p: _write_h5(p, **_valid_train(list_classes=np.arange(3))),
        "{path}: list_classes has shape (3,), expected (6,)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAIN_FILES))
def test_validate_names_the_file_and_the_problem(case, tmp_path):
    make, template = BAD_TRAIN_FILES[case]
    path = tmp_path / "train_signs.h5"
    make(path)
    with pytest.raises(DataError) as error:
        data.validate(path, "train")
    assert str(error.value) == template.format(path=path)


def test_validate_accepts_the_small_valid_file(tmp_path):
    path = _write_h5(tmp_path / "train_signs.h5", **_valid_train(train_set_y=np.array([0, 1, 5], dtype=np.int32)))
    x, y, classes = data.validate(path, "train")
    assert x.shape == (3, 64, 64, 3)
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 5]
    assert classes.tolist() == [0, 1, 2, 3, 4, 5]


def test_validate_truncated_file(tmp_path, shared_signs):
    path = _truncated(tmp_path, shared_signs)
    with pytest.raises(DataError) as error:
        data.validate(path, "test")
    message = str(error.value)
    assert message.startswith(f"{path}: not a readable HDF5 file (truncated or another format): ")
    assert "truncated file: eof = 100000" in message
    assert "\n" not in message


def test_validate_text_file(tmp_path):
    path = tmp_path / "test_signs.h5"
    path.write_text("<html>404: Not Found</html>\n")
    with pytest.raises(DataError) as error:
        data.validate(path, "test")
    message = str(error.value)
    assert message.startswith(f"{path}: not a readable HDF5 file (truncated or another format): ")
    assert "file signature not found" in message
    assert "\n" not in message


def test_validate_test_file_wants_the_test_keys(shared_signs):
    # The official test file read as a train file: the keys say which is which.
    path = shared_signs / "test_signs.h5"
    with pytest.raises(DataError) as error:
        data.validate(path, "train")
    assert str(error.value) == (
        f"{path}: missing key 'train_set_x' (the file has keys: list_classes, test_set_x, test_set_y)"
    )


def test_load_dataset_reports_the_bad_file(nearcopy_dir, tmp_path):
    directory = tmp_path / "bad"
    directory.mkdir()
    (directory / "train_signs.h5").symlink_to(nearcopy_dir / "train_signs.h5")
    (directory / "test_signs.h5").write_text("not hdf5")
    with pytest.raises(DataError, match="^" + str(directory / "test_signs.h5") + ": not a readable HDF5 file"):
        data.load_dataset(directory)


# ---------------------------------------------------------------------------
# The `data` command


@pytest.fixture
def data_cli(monkeypatch):
    """`python -m tfsigns` with only the data command (the others are written elsewhere)."""
    monkeypatch.setattr(cli, "COMMANDS", ("data",))
    return cli.main


def test_data_command_shows_the_source_and_each_file(nearcopy_dir, data_cli, capsys):
    assert data_cli(["data", "--data-dir", str(nearcopy_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"data: {nearcopy_dir} (from --data-dir): train_signs.h5 not the official file, test_signs.h5 official",
        f"  {nearcopy_dir / 'train_signs.h5'}: 8,274,622 bytes, not the official file; 1080 images, 180 per class",
        f"  {nearcopy_dir / 'test_signs.h5'}: 1,477,712 bytes, official; 120 images, 20 per class",
        "  (the published costs and accuracies are for the official files; "
        "'python -m tfsigns data fetch' downloads them)",
    ]


def test_data_command_says_when_it_is_the_embedded_default(tmp_path, monkeypatch, data_cli, capsys):
    monkeypatch.chdir(tmp_path)
    assert data_cli(["data"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("(embedded default: generated by tfsigns, not the course's data)")
    assert out[1].endswith("embedded default; 1080 images, 180 per class")
    assert out[2].endswith("embedded default; 120 images, 20 per class")


def test_data_command_does_not_import_tensorflow(tmp_path):
    code = (
        "import argparse, sys; from tfsigns.commands import data as c; "
        "c.run(argparse.Namespace(data_command=None, data_dir=None)); "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # TFSIGNS_CACHE: the session's cache, from conftest
    env.pop("TFSIGNS_DATA", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _bad_dirs(tmp_path, shared_signs):
    missing = tmp_path / "missing"
    lacking = tmp_path / "lacking"
    lacking.mkdir()
    (lacking / "train_signs.h5").symlink_to(shared_signs / "train_signs_nearcopy.h5")
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    (truncated / "train_signs.h5").symlink_to(shared_signs / "train_signs_nearcopy.h5")
    (truncated / "test_signs.h5").write_bytes((shared_signs / "test_signs.h5").read_bytes()[:5000])
    wrong_dtype = tmp_path / "wrong_dtype"
    wrong_dtype.mkdir()
    _write_h5(wrong_dtype / "train_signs.h5", **_valid_train(train_set_x=np.zeros((3, 64, 64, 3), dtype=np.float64)))
    (wrong_dtype / "test_signs.h5").symlink_to(shared_signs / "test_signs.h5")
    return {
        "missing": (missing, f"error: {missing}: data directory not found (given by --data-dir)"),
        "lacking": (lacking, f"error: {lacking / 'test_signs.h5'}: not found"),
        "truncated": (truncated, f"error: {truncated / 'test_signs.h5'}: not a readable HDF5 file"),
        "wrong dtype": (
            wrong_dtype,
            f"error: {wrong_dtype / 'train_signs.h5'}: train_set_x has dtype float64, expected uint8",
        ),
    }


@pytest.mark.parametrize("case", ["missing", "lacking", "truncated", "wrong dtype"])
def test_data_command_reports_a_bad_dir_in_one_error_line(case, tmp_path, shared_signs, data_cli, capsys):
    directory, start = _bad_dirs(tmp_path, shared_signs)[case]
    assert data_cli(["data", "--data-dir", str(directory)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(start), err
    assert "Traceback" not in err


def test_data_command_run_directly(nearcopy_dir, capsys):
    assert data_command.run(argparse.Namespace(data_command=None, data_dir=str(nearcopy_dir))) == 0
    assert capsys.readouterr().out.startswith(f"data: {nearcopy_dir} (from --data-dir)")
