"""`tf.contrib.layers` as 2018 learners used it, rebuilt on TensorFlow 2's `tf.compat.v1`.

TensorFlow 2 removed `tf.contrib`. The TF1 submissions of the tutorial (and of
its course-4 sequel, whose habits learners brought along) reach for

- initializers: `xavier_initializer` (`xavier_initializer_conv2d`),
  `variance_scaling_initializer`;
- regularizers: `l1_regularizer`, `l2_regularizer`, `l1_l2_regularizer`,
  `sum_regularizer`, `apply_regularization`, passed to
  `tf.get_variable(..., regularizer=...)` or summed into a cost;
- layers: `fully_connected`, `flatten`.

Each is TF 1.x's formula written with the same compat.v1 kernels and seeds,
so it gives TF1's numbers: the initializers draw `random_uniform` /
`truncated_normal` with contrib's limits (`sqrt(3 factor / n)`, truncated
stddev `sqrt(1.3 factor / n)`; compat.v1's own `variance_scaling_initializer`
divides by 0.8796 instead of multiplying by sqrt(1.3), a different number);
the uniform Xavier is `glorot_uniform_initializer`, which REFERENCE.md checked
digit for digit against a published course value. Validation errors are
TF1's (an integer or negative regularizer scale, a non-float dtype, an
unknown mode). Anything else under `tf.contrib` fails with a message naming
it as removed.
"""
import math
import numbers
import types

from tfsigns._tf import import_tensorflow

_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")
# fully_connected's TF1 defaults (tf.nn.relu, tf.zeros_initializer()), resolved when called: TensorFlow loads lazily.
_RELU = object()
_ZEROS = object()


def _v1():
    return import_tensorflow().compat.v1


def _as_dtype(dtype):
    tf = import_tensorflow()
    return tf.float32 if dtype is None else tf.as_dtype(dtype)


# ---------------------------------------------------------------------------
# Initializers


def _fans(shape):
    """(fan_in, fan_out) as contrib counted them: the last two dimensions times the receptive field."""
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    for dim in shape[:-2]:
        fan_in *= float(dim)
        fan_out *= float(dim)
    return fan_in, fan_out


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=None):
    """`tf.contrib.layers.variance_scaling_initializer`: n from the fans, then uniform or truncated normal.

    Args:
        factor: the variance's multiplier (2.0: He et al.).
        mode: "FAN_IN", "FAN_OUT" or "FAN_AVG" (upper case, as contrib wanted).
        uniform: uniform in [-sqrt(3 factor / n), +...] instead of a normal
            truncated at two standard deviations with stddev sqrt(1.3 factor / n).
        seed: the op-level seed (with the graph's seed, as every TF1 random op).
        dtype: a floating dtype (float32 when None).

    Returns:
        initializer(shape, dtype=dtype, partition_info=None) -> Tensor of `shape`.

    Raises:
        TypeError: `dtype` is not floating, or `mode` is not one of the three.
    """
    dtype = _as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError(f"variance_scaling_initializer: dtype must be a floating point type, got {dtype.name}")
    if mode not in _MODES:
        raise TypeError(f"variance_scaling_initializer: mode must be one of {', '.join(_MODES)}, got {mode!r}")

    def initializer(shape, dtype=dtype, partition_info=None):
        v1 = _v1()
        dtype = _as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError(f"variance_scaling_initializer: cannot initialize a {dtype.name} variable")
        shape = [int(dim) for dim in (shape.as_list() if hasattr(shape, "as_list") else shape)]
        fan_in, fan_out = _fans(shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return v1.random_uniform(shape, -limit, limit, dtype, seed=seed)
        return v1.truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)

    return initializer


def xavier_initializer(uniform=True, seed=None, dtype=None):
    """`tf.contrib.layers.xavier_initializer`: Glorot, fan_avg; uniform or truncated normal.

    The uniform one is `tf.compat.v1.glorot_uniform_initializer` (the same
    random stream under the same seeds, REFERENCE.md); the normal one is
    contrib's variance scaling with factor 1, FAN_AVG.
    """
    dtype = _as_dtype(dtype)
    if uniform:
        return _v1().glorot_uniform_initializer(seed=seed, dtype=dtype)
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=False, seed=seed, dtype=dtype)


# ---------------------------------------------------------------------------
# Regularizers


def _check_scale(scale, what):
    """TF1's rule: an integer or a negative scale is refused; 0.0 disables the regularizer (returns False)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{what}: scale cannot be an integer (got {scale!r}); write it as a float, e.g. {float(scale)!r}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"{what}: scale must not be negative (got {scale!r})")
        if scale == 0.0:
            return False
    return True


def l1_regularizer(scale, scope=None):
    """`tf.contrib.layers.l1_regularizer`: weights -> scale * sum(|weights|), a scalar tensor (None when scale is 0.0)."""
    if not _check_scale(scale, "l1_regularizer"):
        return lambda _: None

    def l1(weights, name=None):
        v1 = _v1()
        with v1.name_scope(scope, "l1_regularizer", [weights]) as name:
            my_scale = v1.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return v1.multiply(my_scale, v1.reduce_sum(v1.abs(weights)), name=name)

    return l1


def l2_regularizer(scale, scope=None):
    """`tf.contrib.layers.l2_regularizer`: weights -> scale * sum(weights ** 2) / 2 (`tf.nn.l2_loss`), a scalar tensor (None when scale is 0.0)."""
    if not _check_scale(scale, "l2_regularizer"):
        return lambda _: None

    def l2(weights):
        v1 = _v1()
        with v1.name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = v1.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return v1.multiply(my_scale, v1.nn.l2_loss(weights), name=name)

    return l2


def sum_regularizer(regularizer_list, scope=None):
    """`tf.contrib.layers.sum_regularizer`: weights -> the sum of the regularizers' penalties (None when the list holds none)."""
    regularizer_list = [regularizer for regularizer in regularizer_list if regularizer is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        v1 = _v1()
        with v1.name_scope(scope, "sum_regularizer", [weights]) as name:
            penalties = [regularizer(weights) for regularizer in regularizer_list]
            return v1.add_n([penalty for penalty in penalties if penalty is not None], name=name)

    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """`tf.contrib.layers.l1_l2_regularizer`: the sum of l1_regularizer(scale_l1) and l2_regularizer(scale_l2)."""
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope or "l1_l2_regularizer")


def apply_regularization(regularizer, weights_list=None):
    """`tf.contrib.layers.apply_regularization`: the summed penalty of `weights_list`, added to REGULARIZATION_LOSSES.

    Args:
        regularizer: weights -> scalar tensor (or None).
        weights_list: tensors or variables; the graph's WEIGHTS collection when None.

    Returns:
        A scalar tensor.

    Raises:
        ValueError: no weights, or a penalty that is not a scalar.
    """
    v1 = _v1()
    if not weights_list:
        weights_list = v1.get_collection(v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("apply_regularization: no weights to regularize (weights_list is empty and so is the WEIGHTS collection)")
    with v1.name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(weights) for weights in weights_list]
        penalties = [v1.constant(0.0) if penalty is None else penalty for penalty in penalties]
        for penalty in penalties:
            if penalty.get_shape().ndims != 0:
                raise ValueError(f"apply_regularization: the regularizer must return a scalar, got rank {penalty.get_shape().ndims}")
        summed = v1.add_n(penalties, name=scope)
        v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed


# ---------------------------------------------------------------------------
# Layers


def fully_connected(
    inputs,
    num_outputs,
    activation_fn=_RELU,
    normalizer_fn=None,
    normalizer_params=None,
    weights_initializer=None,
    weights_regularizer=None,
    biases_initializer=_ZEROS,
    biases_regularizer=None,
    reuse=None,
    variables_collections=None,
    outputs_collections=None,
    trainable=True,
    scope=None,
):
    """`tf.contrib.layers.fully_connected`: activation_fn(inputs @ weights + biases).

    Variables as TF1 made them: `<scope>/weights` (in_dim, num_outputs), then
    `<scope>/biases` (num_outputs,), scope "fully_connected" (made unique) by
    default, in GLOBAL_VARIABLES and MODEL_VARIABLES; a regularizer's penalty
    goes to REGULARIZATION_LOSSES as `tf.get_variable` files it. Defaults:
    ReLU, unseeded Xavier uniform weights, zero biases; with a
    `normalizer_fn` there are no biases. Inputs of rank > 2 are multiplied
    along their last dimension.

    Args:
        inputs: tensor (batch, ..., in_dim) with a known last dimension.
        num_outputs: int.

    Returns:
        Tensor (batch, ..., num_outputs).

    Raises:
        ValueError: num_outputs is not an int, or the inputs' last dimension is unknown.
    """
    v1 = _v1()
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, numbers.Integral):
        raise ValueError(f"fully_connected: num_outputs should be an int, got {num_outputs!r}")
    if activation_fn is _RELU:
        activation_fn = v1.nn.relu
    if weights_initializer is None:
        weights_initializer = xavier_initializer()
    if biases_initializer is _ZEROS:
        biases_initializer = v1.zeros_initializer()
    collections = [v1.GraphKeys.GLOBAL_VARIABLES, v1.GraphKeys.MODEL_VARIABLES]

    def extra(kind):
        if isinstance(variables_collections, dict):
            return list(variables_collections.get(kind) or [])
        return list(variables_collections or [])

    with v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse):
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.rank
        in_dim = inputs.shape[-1] if rank else None
        in_dim = getattr(in_dim, "value", in_dim)
        if in_dim is None:
            raise ValueError(f"fully_connected: the last dimension of the inputs must be known, got shape {inputs.shape}")
        dtype = inputs.dtype.base_dtype
        weights = v1.get_variable(
            "weights", [int(in_dim), int(num_outputs)], dtype=dtype, initializer=weights_initializer,
            regularizer=weights_regularizer, trainable=trainable, collections=collections + extra("weights"),
        )
        if rank == 2:
            outputs = v1.matmul(inputs, weights)
        else:
            outputs = v1.tensordot(inputs, weights, [[rank - 1], [0]])
        if normalizer_fn is None and biases_initializer is not None:
            biases = v1.get_variable(
                "biases", [int(num_outputs)], dtype=dtype, initializer=biases_initializer,
                regularizer=biases_regularizer, trainable=trainable, collections=collections + extra("biases"),
            )
            outputs = v1.nn.bias_add(outputs, biases)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        if outputs_collections:
            v1.add_to_collections(outputs_collections, outputs)
        return outputs


def flatten(inputs, outputs_collections=None, scope=None):
    """`tf.contrib.layers.flatten`: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), the batch kept.

    Raises:
        ValueError: the inputs' rank is unknown or below 2.
    """
    v1 = _v1()
    with v1.name_scope(scope, "Flatten", [inputs]):
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.rank
        if rank is None or rank < 2:
            raise ValueError(f"flatten: the inputs must have at least 2 dimensions, got shape {inputs.shape}")
        outputs = v1.reshape(inputs, [v1.shape(inputs)[0], -1])
        dims = inputs.shape.as_list()
        rest = None if any(dim is None for dim in dims[1:]) else int(math.prod(dims[1:]))
        outputs.set_shape([dims[0], rest])
        if outputs_collections:
            v1.add_to_collections(outputs_collections, outputs)
        return outputs


# ---------------------------------------------------------------------------
# The namespace


class Removed(types.ModuleType):
    """A namespace TF 2 removed: unknown names fail with a message that says so."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self.__name__}.{name} was removed in TensorFlow 2 and the grader's TF1 compatibility "
            f"layer does not provide it"
        )


LAYERS = {
    "xavier_initializer": xavier_initializer,
    "xavier_initializer_conv2d": xavier_initializer,
    "variance_scaling_initializer": variance_scaling_initializer,
    "l1_regularizer": l1_regularizer,
    "l2_regularizer": l2_regularizer,
    "l1_l2_regularizer": l1_l2_regularizer,
    "sum_regularizer": sum_regularizer,
    "apply_regularization": apply_regularization,
    "fully_connected": fully_connected,
    "flatten": flatten,
}


def contrib_module():
    """A fresh `tensorflow.contrib` holding `layers` with the names of `LAYERS`."""
    contrib = Removed("tensorflow.contrib")
    layers = Removed("tensorflow.contrib.layers")
    for name, value in LAYERS.items():
        setattr(layers, name, value)
    contrib.layers = layers
    return contrib
