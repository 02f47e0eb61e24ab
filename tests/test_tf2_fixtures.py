"""The TF2 fixture submissions (tests/submissions/tf2/) do what their MANIFEST.json says, checked against tfsigns.tf2.

Only the imports and function definitions of each fixture run (never its test
cells); every correct fixture matches the reference within tfsigns.expected's
tolerances, and each mistake fixture's wrong function fails the way the manifest claims.
"""
import ast
import json
from pathlib import Path

import numpy as np
import pytest

from tfsigns import expected, tf2

tf = tf2.tf
FIXTURES = Path(__file__).parent / "submissions" / "tf2"
MANIFEST = json.loads((FIXTURES / "MANIFEST.json").read_text())["fixtures"]


def load(name):
    """The fixture's imports and defs, executed with tf and np available."""
    path = FIXTURES / name
    if name.endswith(".ipynb"):
        sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    else:
        sources = [path.read_text()]
    namespace = {"tf": tf, "np": np}
    for source in sources:
        tree = ast.parse(source)
        kept = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
        exec(compile(ast.Module(body=kept, type_ignores=[]), name, "exec"), namespace)
    return namespace


def close(got, want):
    return want.close(np.asarray(got, dtype=np.float64))


def loss_name(entry):
    return "compute_total_loss" if entry["family"] == "tf2" and entry["template"] not in ("T3",) else "compute_cost"


def check_linear_function(ns, entry):
    return close(ns["linear_function"]().numpy(), expected.TF2_LINEAR_FUNCTION)


def check_sigmoid(ns, entry):
    return all(close(ns["sigmoid"](z).numpy(), want) for z, want in ((0, expected.TF2_SIGMOID_0), (-1, expected.TF2_SIGMOID_MINUS_1), (12, expected.TF2_SIGMOID_12)))


def check_one_hot_matrix(ns, entry):
    edition = entry["family"]
    for label, C, _ in expected.TF2_ONE_HOT_CASES:
        got = ns["one_hot_matrix"](label, C)
        want = tf2.one_hot_matrix(label, C, edition="tf2-early" if edition == "tf2-early" else "tf2").numpy()
        if got is None or tuple(got.shape) != want.shape or not np.array_equal(got.numpy(), want):
            return False
    return True


def check_initialize_parameters(ns, entry):
    got, want = ns["initialize_parameters"](), tf2.initialize_parameters()
    return list(got) == list(want) and all(
        got[k].dtype == tf.float32 and tuple(got[k].shape) == tuple(want[k].shape) and np.array_equal(got[k].numpy(), want[k].numpy()) for k in want
    )


def _input(entry):
    X = np.random.default_rng(0).random((12288, 2), dtype=np.float32)
    return tf.constant(X.T.reshape(2, 12288, 1)) if entry["family"] == "tf2-early" else tf.constant(X)


def check_forward_propagation(ns, entry):
    params, X = tf2.initialize_parameters(), _input(entry)
    with tf.GradientTape() as tape:
        got = ns["forward_propagation"](X, params)
        total = tf.reduce_sum(got)  # inside the tape, or every gradient is None
    grads = tape.gradient(total, list(params.values()))
    want = tf2.forward_propagation(X, params).numpy()
    return got.shape == want.shape and np.allclose(got.numpy(), want, rtol=1e-5, atol=1e-6) and all(g is not None for g in grads)


def _loss_tests(ns, entry):
    fn = ns[loss_name(entry)]
    if entry["family"] == "tf2-early":
        return {"test1": float(fn(expected.TF2_EARLY_COST_LOGITS, expected.TF2_EARLY_COST_LABELS))}
    labels = tf.transpose(tf.one_hot(list(expected.TF2_LOSS_TEST1_CLASSES), 6))
    out = {"test1": float(fn(tf.constant(expected.TF2_LOSS_TEST1_LOGITS, tf.float32), labels))}
    if entry["family"] == "tf2":
        out["test2"] = float(fn(tf.constant(expected.TF2_TOTAL_LOSS_LOGITS, tf.float32), tf.constant(expected.TF2_TOTAL_LOSS_LABELS, tf.float32)))
    return out


def check_loss(ns, entry):
    got = _loss_tests(ns, entry)
    want1 = {"tf2": expected.TF2_TOTAL_LOSS_TEST1, "tf2-mean": expected.TF2_MEAN_COST_TEST1, "tf2-early": expected.TF2_EARLY_COMPUTE_COST}[entry["family"]]
    return close(got["test1"], want1) and ("test2" not in got or close(got["test2"], expected.TF2_COMPUTE_TOTAL_LOSS))


def check_normalize(ns, entry):
    image = tf.constant(np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    return np.array_equal(ns["normalize"](image).numpy(), tf2.normalize(image, edition=entry["family"]).numpy())


CHECKS = {"linear_function": check_linear_function, "sigmoid": check_sigmoid, "one_hot_matrix": check_one_hot_matrix,
          "initialize_parameters": check_initialize_parameters, "forward_propagation": check_forward_propagation,
          "loss": check_loss, "normalize": check_normalize}


def passes(check, ns, entry):
    try:
        return bool(check(ns, entry))
    except Exception:
        return False


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_fixture_matches_its_manifest(name):
    entry, ns = MANIFEST[name], load(name)
    wrong = {("loss" if k in ("compute_cost", "compute_total_loss") else k): v for k, v in entry["wrong"].items()}
    assert entry["correct"] == (not wrong)
    for key, check in CHECKS.items():
        assert passes(check, ns, entry) == (key not in wrong), (name, key)
    for key, claim in wrong.items():
        want = claim["expect"]
        if "value" in want:
            got = _loss_tests(ns, entry)
            for test, value in want["value"].items():
                assert abs(got[test] - value) < 1e-6, (name, test, got[test])
        if "raises" in want:
            with pytest.raises(Exception) as error:
                CHECKS[key](ns, entry)
            assert type(error.value).__name__ == want["raises"], (name, error.value)
