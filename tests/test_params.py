"""The parameters file: round trip, portability, and one clear error per kind of bad file."""
import json
import os
import stat

import numpy as np
import pytest

from tfsigns.errors import ParametersError
from tfsigns.params import FORMAT, PARAMETER_SHAPES, load_parameters, save_parameters


def _parameters(seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype(np.float32) for name, shape in PARAMETER_SHAPES.items()}


def _error(path):
    with pytest.raises(ParametersError) as caught:
        load_parameters(path)
    return str(caught.value)


def test_round_trip_keeps_every_bit_and_the_metadata(tmp_path):
    parameters = _parameters()
    path = save_parameters(tmp_path / "p.npz", parameters, {"edition": "v3", "test_accuracy": 0.625})
    loaded, metadata = load_parameters(path)
    for name in PARAMETER_SHAPES:
        assert loaded[name].dtype == np.float32
        np.testing.assert_array_equal(loaded[name], parameters[name])
    assert metadata == {"format": FORMAT, "edition": "v3", "test_accuracy": 0.625}


def test_file_is_plain_numpy_without_pickle(tmp_path):
    path = save_parameters(tmp_path / "p.npz", _parameters())
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(["metadata", *PARAMETER_SHAPES])
        assert json.loads(str(archive["metadata"]))["format"] == FORMAT


def test_saved_file_gets_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = save_parameters(tmp_path / "p.npz", _parameters())
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]  # no temporary file left


def test_float64_parameters_are_stored_as_float32(tmp_path):
    parameters = {name: array.astype(np.float64) for name, array in _parameters().items()}
    loaded, _ = load_parameters(save_parameters(tmp_path / "p.npz", parameters))
    assert all(array.dtype == np.float32 for array in loaded.values())


def test_save_refuses_wrong_shapes(tmp_path):
    parameters = _parameters()
    parameters["W2"] = np.zeros((12, 24), np.float32)
    with pytest.raises(ParametersError) as caught:
        save_parameters(tmp_path / "p.npz", parameters)
    assert str(caught.value) == f"{tmp_path / 'p.npz'}: W2 has shape (12, 24), expected (12, 25)"
    assert not (tmp_path / "p.npz").exists()


def test_missing_file(tmp_path):
    assert _error(tmp_path / "none.npz") == f"{tmp_path / 'none.npz'}: parameters file not found"


def test_directory(tmp_path):
    assert _error(tmp_path) == f"{tmp_path}: is a directory, expected a parameters .npz file"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    assert _error(path) == f"{path}: empty file, expected a parameters .npz file"


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("W1 = 0\n")
    assert _error(path) == f"{path}: not a parameters .npz file (no zip signature at the start)"


def test_a_npy_file_is_not_a_parameters_file(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as stream:
        np.save(stream, np.zeros(3))
    assert _error(path) == f"{path}: not a parameters .npz file (no zip signature at the start)"


def test_truncated_file(tmp_path):
    path = save_parameters(tmp_path / "p.npz", _parameters())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert _error(path) == f"{path}: corrupt or truncated .npz file (File is not a zip file)"


def test_corrupted_bytes_inside_the_file(tmp_path):
    path = save_parameters(tmp_path / "p.npz", _parameters())
    data = bytearray(path.read_bytes())
    data[5000:5100] = bytes(100)  # inside W1's data: the zip's CRC check fails
    path.write_bytes(bytes(data))
    message = _error(path)
    assert message.startswith(f"{path}: corrupt or truncated .npz file (Bad CRC-32 for file ")


def test_zip_without_the_parameters(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    assert _error(path) == f"{path}: not a tfsigns parameters file (missing W1, b1, W2, b2, W3, b3; has weights)"


def test_wrong_shapes(tmp_path):
    arrays = _parameters()
    arrays["W1"] = np.zeros((25, 100), np.float32)
    path = tmp_path / "shapes.npz"
    np.savez(path, **arrays)
    assert _error(path) == f"{path}: W1 has shape (25, 100), expected (25, 12288)"


def test_transposed_keras_kernel_is_a_wrong_shape(tmp_path):
    arrays = _parameters()
    arrays["W3"] = arrays["W3"].T  # a Keras kernel is (n_in, n_out)
    path = tmp_path / "keras.npz"
    np.savez(path, **arrays)
    assert _error(path) == f"{path}: W3 has shape (12, 6), expected (6, 12)"


def test_nan_values(tmp_path):
    arrays = _parameters()
    arrays["b2"][3, 0] = np.nan
    path = tmp_path / "nan.npz"
    np.savez(path, **arrays)
    assert _error(path) == f"{path}: b2 holds NaN or infinite values"


def test_text_arrays(tmp_path):
    arrays = _parameters()
    arrays["b3"] = np.array([["x"]] * 6)
    path = tmp_path / "text_arrays.npz"
    np.savez(path, **arrays)
    assert _error(path) == f"{path}: b3 holds <U1 values, expected floating point"


def test_metadata_that_is_not_json(tmp_path):
    path = tmp_path / "meta.npz"
    np.savez(path, metadata=np.array("{not json"), **_parameters())
    assert _error(path) == f"{path}: metadata is not valid JSON"
