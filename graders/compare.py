"""Staged comparison of what a graded call gave against its answer: pure functions, no I/O.

Stages, in order, each with a message that names what was expected and what
was received: the call itself (not defined, raised X at line N, timed out,
crashed, delegated to tfsigns), then the value's type, its shape, its values
within the tolerance. A failed value is also compared with the answer's known
mistakes (`Answer.variants`); the label of the one it matches selects the hint.
"""
from dataclasses import dataclass

import numpy as np

SMALL = 24  # arrays up to this many entries are printed whole


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes:
        passed: whether the check earns its points.
        reason: on failure, the staged reason ("wrong shape: got (6, 4), want (4, 6)").
        variant: the label of the known mistake the value matches, or "".
    """

    passed: bool
    reason: str = ""
    variant: str = ""


PASSED = Verdict(True)


# ---------------------------------------------------------------------------
# Stage 1: the call


def call_failure(outcome, function):
    """The reason a call gave nothing to compare, or "" when it returned."""
    status = outcome.status
    if status == "returned":
        return ""
    if status == "missing":
        return f"not defined: the submission has no function {function}()"
    if status == "not callable":
        return f"not a function: {function} is a value of type {outcome.detail or '?'}"
    if status == "delegated":
        return (
            f"delegates to tfsigns' reference ({outcome.detail}): "
            "no points for work the reference does; write the function yourself"
        )
    if status == "raised":
        error = outcome.error
        where = f" at {error['where']}" if error.get("where") else ""
        if error["type"] == "SystemExit":
            return f"called sys.exit({error.get('message', '')}){where}: a graded function must return its result"
        message = f": {error['message']}" if error.get("message") else ""
        return f"raised {error['type']}{where}{message}"
    if status == "timeout":
        return outcome.detail
    if status in ("crashed", "invalid"):
        return outcome.detail
    if status == "not loaded":
        return f"the submission did not load: {outcome.detail}"
    return f"no result ({status})"


# ---------------------------------------------------------------------------
# Stage 2: the type


def kind_name(item):
    """How to name a returned thing in a message: "a tf.Tensor", "None", "a dict", ..."""
    if item is None:
        return "nothing"
    kind = item.get("kind")
    if kind == "tensor":
        return "a tf.Tensor" + (f" ({item['name']})" if item.get("name") else "")
    if kind == "variable":
        return "a tf.Variable"
    if kind == "array":
        return f"an array of {item.get('dtype', '?')}"
    type_name = item.get("type", "?")
    if type_name == "NoneType":
        return "None"
    detail = f" ({item['detail']})" if item.get("detail") else ""
    return f"a {type_name}{detail}"


def type_failure(item, want="a numpy array"):
    """"wrong type: ..." when `item` is not an array, else ""."""
    if item is not None and item.get("kind") == "array":
        return ""
    advice = ""
    if item is not None and item.get("kind") in ("tensor", "variable"):
        advice = " (run it in a session and return the value: result = sess.run(...))"
    return f"wrong type: got {kind_name(item)}, want {want}{advice}"


# ---------------------------------------------------------------------------
# Stages 3 and 4: shape and values


def shape_text(shape):
    shape = tuple(shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def tolerance_text(rtol, atol):
    parts = []
    if rtol:
        parts.append(f"rtol {rtol:g}")
    parts.append(f"atol {atol:g}")
    return ", ".join(parts)


def value_text(array):
    """Numbers as a learner would compare them: 8 significant digits, one line."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        return f"{float(array):.8g}"
    text = np.array2string(
        array, separator=", ", max_line_width=10_000, formatter={"float_kind": lambda x: f"{x:.8g}"}, threshold=SMALL
    )
    return " ".join(text.split())  # one line, also for 2-D arrays


def close(got, want, rtol, atol):
    """Same shape and every entry within `atol + rtol * |want|`; NaN never matches."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want)))


def array_verdict(got, want, rtol, atol, variants=None, label=""):
    """Compare one returned array with the expected one.

    Args:
        got: the returned array (already known to be an array).
        want: the expected value.
        rtol, atol: tolerance.
        variants: {label: value} of known mistakes.
        label: prefix naming the array in messages ("W1: "), or "".

    Returns:
        a `Verdict`.
    """
    got = np.asarray(got)
    want = np.asarray(want)
    variant = match_variant(got, variants, rtol, atol)
    if got.shape != want.shape:
        return Verdict(False, f"{label}wrong shape: got {shape_text(got.shape)}, want {shape_text(want.shape)}", variant)
    if close(got, want, rtol, atol):
        return PASSED
    return Verdict(False, label + values_message(got, want, rtol, atol), variant)


def values_message(got, want, rtol, atol):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    tolerance = tolerance_text(rtol, atol)
    if want.size <= SMALL:
        return f"wrong values: got {value_text(got)}, want {value_text(want)} (tolerance {tolerance})"
    difference = np.abs(got - want)
    wrong = ~(difference <= atol + rtol * np.abs(want))
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (
        f"wrong values in {int(wrong.sum())} of {want.size} entries; first at {list(index)}: "
        f"got {got[index]:.8g}, want {want[index]:.8g} (tolerance {tolerance})"
    )


def match_variant(got, variants, rtol, atol):
    """The label of the known mistake `got` matches, or ""."""
    for label, value in (variants or {}).items():
        if isinstance(value, dict):
            continue
        try:
            if close(got, value, rtol, atol):
                return label
        except (TypeError, ValueError):
            continue
    return ""


# ---------------------------------------------------------------------------
# Composite values


def placeholder_verdict(item, want, variants):
    """A placeholder: a tf.Tensor from tf.placeholder with the wanted dtype and shape, whatever its name.

    Args:
        item: the child's description of the returned object, or None.
        want: {"shape": [n, None], "dtype": "float32"}.
        variants: {label: {"shape": [...]}}; "fixed" in a shape matches any number.
    """
    if item is None:
        return Verdict(False, "wrong type: got nothing, want a placeholder (return X, Y)")
    if item.get("kind") != "tensor" or item.get("op") != "Placeholder":
        return Verdict(False, f"wrong type: got {kind_name(item)}, want a tf.placeholder")
    if item.get("dtype") != want["dtype"]:
        return Verdict(False, f"wrong dtype: got {item.get('dtype')}, want {want['dtype']}")
    shape = item.get("shape")
    if shape != want["shape"]:
        got_text = "unknown" if shape is None else shape_text(shape)
        variant = ""
        for label, value in variants.items():
            pattern = value["shape"]
            if shape is not None and len(shape) == len(pattern) and all(
                p == d or (p == "fixed" and d is not None) for p, d in zip(pattern, shape)
            ):
                variant = label
        return Verdict(False, f"wrong shape: got {got_text}, want {shape_text(want['shape'])}", variant)
    return PASSED  # the name is the learner's: the notebook's own output says "not necessarily Placeholder_1"


def parameters_verdict(items, arrays, want, rtol, atol, variants=None, what="parameters"):
    """A dict of arrays W1..b3: every key present, each an array of the right shape and values.

    Args:
        items: the child's descriptions by key (with "keys": the keys returned).
        arrays: the returned arrays by key.
        want: {name: array} of the expected values, or {name: shape tuple} to check shapes only.
    """
    if "result" in items:
        return Verdict(False, f"wrong type: got {kind_name(items['result'])}, want a dict of {what}")
    missing = [name for name in want if name not in items]
    if missing:
        return Verdict(False, f"missing keys: {', '.join(missing)} (want {', '.join(want)})")
    for name in want:
        failure = type_failure(items[name])
        if failure:
            return Verdict(False, f"{name}: {failure}")
    shapes_only = all(isinstance(value, tuple) for value in want.values())
    for name, value in want.items():
        want_shape = value if shapes_only else np.shape(value)
        if tuple(arrays[name].shape) != tuple(want_shape):
            return Verdict(False, f"{name}: wrong shape: got {shape_text(arrays[name].shape)}, want {shape_text(want_shape)}")
    if shapes_only:
        return PASSED
    for name, value in want.items():
        if not close(arrays[name], value, rtol, atol):
            variant = ""
            for label, variant_value in (variants or {}).items():
                if all(close(arrays[k], variant_value[k], rtol, atol) for k in want):
                    variant = label
            return Verdict(False, f"{name}: " + values_message(arrays[name], value, rtol, atol), variant)
    return PASSED


def valid_parameters(items, arrays, shapes):
    """True when a model() result holds finite arrays W1..b3 of the right shapes."""
    for name, shape in shapes.items():
        array = arrays.get(name)
        if array is None or tuple(array.shape) != tuple(shape) or not np.all(np.isfinite(array)):
            return False
    return True
