"""ONNX export of :class:`~sklearn_l2.L2Normalizer` through skl2onnx.

skl2onnx converts a scikit-learn model by looking its class up in a registry
of shape calculators and converters. :func:`register` adds
:class:`~sklearn_l2.L2Normalizer` to that registry; after it, ``to_onnx``
converts the estimator alone or inside any pipeline skl2onnx understands.
skl2onnx and onnx are imported only when :func:`register` is called, so that
``import sklearn_l2`` never needs them.

The graph reproduces ``transform`` with standard ONNX operators only (no
custom domain), computing in float64 whatever the input's float dtype:

* ``axis=1``: every row is first divided by its largest absolute entry
  ``m`` (missing values left out), so its entries lie in ``[-1, 1]`` and its
  power sum ``s`` in ``[1, n]``: nothing can overflow or underflow, as in the
  careful path of the NumPy kernels. The unit row is ``(x / m) / s**(1/p)``;
  the norm ``m * s**(1/p)`` is only formed to compare it with ``eps`` or
  ``max_norm``.
* ``axis=0``: the fitted scaling of every column, ``2**-e * g``, is stored
  as a constant row, and the columns are multiplied by it. Where that factor
  is not a normal float64 number, the column is multiplied by ``2**-e`` in
  exact steps and then by ``g``, as the NumPy kernels do.
"""

import numpy as np

from ._array_api import host_power_parts
from ._normalize import check_eps_max_norm, resolve_p
from ._normalizer import L2Normalizer

# The alias under which the converter is registered with skl2onnx.
ALIAS = "SklearnL2Normalizer"

# Reductions take their axes as an input from these opsets on (an attribute
# before).
_REDUCE_AXES_AS_INPUT = {"ReduceSum": 13, "ReduceMax": 18}
MIN_OPSET = 13


def register():
    """Teach skl2onnx to convert :class:`~sklearn_l2.L2Normalizer`.

    Call it once before ``skl2onnx.to_onnx`` (or ``convert_sklearn``); calling
    it again changes nothing. The estimator is then converted on its own or
    as a step of a pipeline, for float32 and float64 input, every ``norm``,
    both axes (``axis=0`` once fitted), ``eps`` and ``max_norm``. The graph
    uses only standard ONNX operators, from opset 13 on.

    Returns
    -------
    alias : str
        The name skl2onnx knows the converter by, ``"SklearnL2Normalizer"``.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime
    >>> from skl2onnx import to_onnx
    >>> from sklearn_l2 import L2Normalizer
    >>> from sklearn_l2.onnx import register
    >>> register()
    'SklearnL2Normalizer'
    >>> X = np.array([[1e20, 1e20], [3.0, 4.0]], dtype=np.float32)
    >>> model = to_onnx(L2Normalizer().fit(X), X)
    >>> session = onnxruntime.InferenceSession(
    ...     model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> session.run(None, {"X": X})[0]
    array([[0.70710677, 0.70710677],
           [0.6       , 0.8       ]], dtype=float32)
    """
    from skl2onnx import update_registered_converter

    update_registered_converter(
        L2Normalizer, ALIAS, _calculate_output_shapes, _convert, overwrite=True
    )
    return ALIAS


def _tensor_types():
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return FloatTensorType, DoubleTensorType


def _calculate_output_shapes(operator):
    """The output has the input's shape and float type."""
    if len(operator.inputs) != 1 or len(operator.outputs) != 1:
        raise RuntimeError(
            "L2Normalizer converts one input tensor into one output tensor; got "
            f"{len(operator.inputs)} inputs and {len(operator.outputs)} outputs."
        )
    input_type = operator.inputs[0].type
    if not isinstance(input_type, _tensor_types()):
        raise RuntimeError(
            "L2Normalizer is converted for float32 or float64 input "
            f"(FloatTensorType or DoubleTensorType), not {type(input_type).__name__}."
            " Cast the data to a float type first."
        )
    shape = [operator.inputs[0].get_first_dimension(), input_type.shape[1]]
    operator.outputs[0].type = type(input_type)(shape)


class _GraphBuilder:
    """Adds nodes and constants of one converter call to skl2onnx's container.

    Every method returns the name of the new variable, so that the graph
    reads like the formula it computes.
    """

    def __init__(self, scope, container):
        self.scope = scope
        self.container = container
        self.opset = container.target_opset

    def constant(self, value, name="c"):
        from onnx import TensorProto

        value = np.asarray(value, dtype=np.float64)
        var = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(
            var, TensorProto.DOUBLE, list(value.shape), value.ravel().tolist()
        )
        return var

    def mask(self, values, name="mask"):
        from onnx import TensorProto

        values = np.asarray(values, dtype=bool)
        var = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(
            var, TensorProto.BOOL, list(values.shape), values.ravel().tolist()
        )
        return var

    def axes(self, axes):
        from onnx import TensorProto

        var = self.scope.get_unique_variable_name("axes")
        self.container.add_initializer(var, TensorProto.INT64, [len(axes)], axes)
        return var

    def node(self, op_type, *inputs, output=None, **attrs):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def reduce(self, op_type, values, axis):
        """``op_type`` over ``axis`` of ``values``, the axis kept."""
        if self.opset >= _REDUCE_AXES_AS_INPUT[op_type]:
            return self.node(op_type, values, self.axes([axis]), keepdims=1)
        return self.node(op_type, values, axes=[axis], keepdims=1)

    def cast(self, values, onnx_type, output=None):
        return self.node("Cast", values, output=output, to=onnx_type)


def _convert(scope, operator, container):
    """Write the graph of a (fitted, with ``axis=0``) L2Normalizer."""
    from onnx import TensorProto

    if container.target_opset < MIN_OPSET:
        raise RuntimeError(
            f"L2Normalizer needs ONNX opset {MIN_OPSET} or later; "
            f"target_opset={container.target_opset}."
        )
    model = operator.raw_operator
    check_eps_max_norm(model.eps, model.max_norm)
    graph = _GraphBuilder(scope, container)
    x_name = operator.inputs[0].full_name
    out_name = operator.outputs[0].full_name
    is_float32 = isinstance(operator.inputs[0].type, _tensor_types()[0])
    x = graph.cast(x_name, TensorProto.DOUBLE) if is_float32 else x_name
    if model.axis == 1:
        result = _unit_rows(graph, x, resolve_p(model.norm), model.eps, model.max_norm)
    else:
        result = _scaled_columns(graph, x, *_fitted_scaling(model))
    if is_float32:
        graph.cast(result, TensorProto.FLOAT, output=out_name)
    else:
        graph.node("Identity", result, output=out_name)


def _fitted_scaling(model):
    """``(e, g)``: ``transform`` multiplies column ``j`` by ``2**-e[j] * g[j]``.

    The fitted estimator keeps them exactly; ``scale_`` is their float64
    value, which over- or underflows for columns at the ends of the range.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    shifts, gains = model._scaling  # column j is multiplied by 2**k[j] * g[j]
    return -shifts, gains


def _unit_rows(graph, x, p, eps, max_norm):
    """Every row of float64 ``x`` scaled as ``transform`` with ``axis=1`` does."""
    zero, one = graph.constant(0.0, "zero"), graph.constant(1.0, "one")
    magnitudes = graph.node("Abs", x)
    # A missing value is left out of its row's norm and stays missing.
    magnitudes = graph.node("Where", graph.node("IsNaN", x), zero, magnitudes)
    largest = graph.reduce("ReduceMax", magnitudes, axis=1)
    # A zero row (or one of missing values only) is divided by 1.
    divisor = graph.node("Where", graph.node("Equal", largest, zero), one, largest)
    scaled = graph.node("Div", x, divisor)
    scaled_magnitudes = graph.node("Div", magnitudes, divisor)
    scaled_norms = _scaled_norms(graph, scaled_magnitudes, p)
    safe_norms = graph.node(
        "Where", graph.node("Equal", scaled_norms, zero), one, scaled_norms
    )
    unit = graph.node("Div", scaled, safe_norms)
    if max_norm is None and eps == 0:
        return unit
    # inf where the norm exceeds the float64 range: still compared correctly.
    norm = graph.node("Mul", largest, scaled_norms)
    if max_norm is None:
        limit = graph.constant(float(eps), "eps")
        short = graph.node("Less", norm, limit)
        return graph.node("Where", short, graph.node("Div", x, limit), unit)
    limit = graph.constant(float(max_norm), "max_norm")
    long = graph.node("Greater", norm, limit)
    return graph.node("Where", long, graph.node("Mul", unit, limit), x)


def _scaled_norms(graph, magnitudes, p):
    """The ``p``-norm of every row of ``magnitudes`` (entries in ``[0, 1]``)."""
    if p == np.inf:
        return graph.reduce("ReduceMax", magnitudes, axis=1)
    if p == 1:
        return graph.reduce("ReduceSum", magnitudes, axis=1)
    if p == 2:
        squares = graph.node("Mul", magnitudes, magnitudes)
        return graph.node("Sqrt", graph.reduce("ReduceSum", squares, axis=1))
    powers = graph.node("Pow", magnitudes, graph.constant(float(p), "p"))
    sums = graph.reduce("ReduceSum", powers, axis=1)
    return graph.node("Pow", sums, graph.constant(1.0 / p, "inverse_p"))


def _scaled_columns(graph, x, exponents, gains):
    """Column ``j`` of float64 ``x`` times ``2**-e[j] * g[j]``."""
    exponents = np.asarray(exponents, dtype=np.int64)
    gains = np.asarray(gains, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        factors = np.ldexp(gains, -exponents)
    info = np.finfo(np.float64)
    unfolded = ~((factors >= info.smallest_normal) & (factors <= info.max))
    factors[unfolded] = 1.0
    folded = graph.node("Mul", x, graph.constant(factors[None, :], "factors"))
    if not unfolded.any():
        return folded
    # 2**-e may leave the float64 range: exact powers of two, each a normal
    # number, applied in turn.
    step = x
    for power in host_power_parts(-exponents, np.float64):
        step = graph.node("Mul", step, graph.constant(power[None, :], "power"))
    rescaled = graph.node("Mul", step, graph.constant(gains[None, :], "gains"))
    mask = graph.mask(unfolded[None, :], "unfolded")
    return graph.node("Where", mask, rescaled, folded)
