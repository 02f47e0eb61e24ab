"""The answer key out of a submission's reach: the child's own HOME, Landlock, signed cache files, resealing.

The grader caches reference values (`graders.answer_cache`) that later submissions
are graded against. A submission must neither read them (to hand back the
reference's trained parameters) nor change them (to lower, or raise, the next
submission's grade).
"""
import hashlib
from pathlib import Path

import numpy as np

from conftest import require_landlock
from graders import answer_cache, grading, isolation, sandbox
from tfsigns import data

SUBMISSIONS = Path(__file__).parent / "submissions"
FUNCTIONS = ("initialize_parameters", "forward_propagation", "compute_cost")  # graded on cached reference values


def _snapshot(folder):
    """{file name: sha256} of every file in the cache folder."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir()) if path.is_file()}


def _contents(folder):
    """{file name: {array name: bytes}} of the cache's .npz files, signatures left out."""
    contents = {}
    for path in sorted(folder.glob("*.npz")):
        with np.load(path, allow_pickle=False) as archive:
            contents[path.name] = {name: archive[name].tobytes() for name in archive.files if not name.startswith("__")}
    return contents


def test_the_child_gets_its_own_empty_home_and_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "/home/instructor")
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/instructor/.cache")
    monkeypatch.setenv("TFSIGNS_CACHE", "/srv/grader-cache")
    monkeypatch.setenv("GRADESCOPE_TOKEN", "secret")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "terraform-secret")  # Terraform's, not TensorFlow's
    monkeypatch.setenv("TF_VAR_db_password", "terraform-secret")
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    env = isolation.child_environment(str(tmp_path))
    assert env["HOME"] == str(home)
    assert env["XDG_CACHE_HOME"] == str(home / ".cache") and env["MPLCONFIGDIR"].startswith(str(home))
    assert env["TMPDIR"] == str(tmp)
    assert "TFSIGNS_CACHE" not in env and "GRADESCOPE_TOKEN" not in env
    assert not any("terraform-secret" in value for value in env.values())
    assert set(env) - {"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "KERAS_HOME", "TMPDIR", "MPLBACKEND", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "PYTHONNOUSERSITE", "MALLOC_ARENA_MAX"} <= set(isolation.PASSED_ENV)
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert not any("/home/instructor" in value or "/srv/grader-cache" in value for value in env.values())


def test_a_cache_inside_a_readable_folder_counts_as_exposed(tmp_path):
    from graders import child

    roots = child.read_roots(str(tmp_path / "sandbox"))
    project = str(Path(child.__file__).resolve().parents[1])
    assert project in roots and str(tmp_path / "sandbox") in roots
    inside = str(Path(project) / ".cache" / "tfsigns")  # TFSIGNS_CACHE pointed into the project
    assert child.exposed_folders([inside, str(tmp_path / "cache")], roots) == [(inside, project)]


def test_cache_files_are_signed_and_a_changed_one_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("TFSIGNS_CACHE", str(tmp_path))
    path = answer_cache.cache_folder() / "model-test.npz"
    answer_cache.write(path, {"epoch_costs": np.array([1.97168, 0.347177])})
    arrays, problem = answer_cache.read(path, ("epoch_costs",))
    np.testing.assert_allclose(arrays["epoch_costs"], [1.97168, 0.347177], rtol=0, atol=0)
    assert problem == ""
    assert oct((answer_cache.cache_folder() / "key").stat().st_mode & 0o777) == "0o600"
    # Another value under the same signature, as a submission without the key would write it.
    with np.load(path) as archive:
        tag = archive["__hmac_sha256__"]
    np.savez(path, epoch_costs=np.array([0.0, 0.0]), __hmac_sha256__=tag)
    assert answer_cache.read(path, ("epoch_costs",)) == (
        None, "the cached reference values model-test.npz failed verification (changed since the grader wrote them); recomputed"
    )
    np.savez(path, epoch_costs=np.array([1.97168, 0.347177]))  # no signature at all
    assert answer_cache.read(path, ("epoch_costs",))[0] is None
    assert answer_cache.read(answer_cache.cache_folder() / "missing.npz", ("epoch_costs",)) == (None, "")


def test_a_confined_submission_can_neither_read_nor_change_the_cache():
    require_landlock()
    only = ("linear_function", "ones") + FUNCTIONS
    grading.prepare(grading.Options(only=only)).wait(("v3",))
    folder = answer_cache.cache_folder()  # the session's TFSIGNS_CACHE, a folder hostile_cache.py searches for
    before = _snapshot(folder)
    assert any(name.startswith("functions-") for name in before)

    hostile = grading.grade(str(SUBMISSIONS / "hostile_cache.py"), grading.Options(only=("linear_function", "ones")))
    assert hostile.confined, hostile.confinement
    # ones() is the fixture's witness: ones only when it found, read and changed nothing.
    assert [(check.name, check.passed) for check in hostile.checks] == [
        ("linear_function: Y = WX + b", True),
        ("ones: ones([3])", True),
    ]
    assert _snapshot(folder) == before

    after = grading.grade(str(SUBMISSIONS / "tf1_solution.py"), grading.Options(only=FUNCTIONS))
    assert (after.score, after.max_score, after.notes) == (30, 30, [])


FORGER = '''
# Without confinement: reads the cache's key and signs values of its own (a perfect forgery).
import hashlib
import hmac
import json
import os
import numpy as np

FOLDER = {folder!r}


def signature(secret, arrays):
    # graders.answer_cache.signature, written out: a forger needs no grader module in its view
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        mac.update(json.dumps([name, array.dtype.str, list(array.shape)]).encode())
        mac.update(array.tobytes())
    return mac.digest()


def ones(shape):
    with open(os.path.join(FOLDER, "key"), "rb") as stream:
        secret = stream.read()
    for name in os.listdir(FOLDER):
        if name.endswith(".npz"):
            path = os.path.join(FOLDER, name)
            with np.load(path) as archive:
                forged = {{key: np.zeros_like(archive[key]) for key in archive.files if not key.startswith("__")}}
            forged["__hmac_sha256__"] = np.frombuffer(signature(secret, forged), dtype=np.uint8)
            with open(path, "wb") as stream:
                np.savez(stream, **forged)
    return np.ones(shape)
'''


def test_without_confinement_the_cache_is_resealed_once_the_submission_is_gone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TFSIGNS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(sandbox.CONFINE_ENV, "0")
    grading.prepare(grading.Options(only=FUNCTIONS)).wait(("v3",))
    folder = answer_cache.cache_folder()
    embedded = data.embedded_default_dir()  # unsigned, so not kept: generated again when needed
    assert embedded.parent == folder.parent
    values = _contents(folder)
    forger = tmp_path / "forger.py"
    forger.write_text(FORGER.format(folder=str(folder)), encoding="utf-8")

    options = grading.Options(only=("ones",) + FUNCTIONS)
    results = grading.grade(str(forger), options)
    assert not results.confined and results.confinement == "confinement turned off (GRADERS_CONFINE=0)"
    assert results.unconfined_warning() == (
        "forger.py ran without full confinement (confinement turned off (GRADERS_CONFINE=0)); "
        "the cached answers were verified before it ran and resealed after"
    )
    assert [check.passed for check in results.checks][0], (results.notes, results.checks[0])  # the forgery ran: ones() returned
    # Resealed: the values verified before it ran, under a new key; its forgery is gone.
    assert _contents(folder) == values
    assert not embedded.exists()

    after = grading.grade(str(SUBMISSIONS / "tf1_solution.py"), grading.Options(only=FUNCTIONS))
    assert (after.score, after.max_score, after.notes) == (30, 30, [])
