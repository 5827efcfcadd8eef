"""ONNX export: :func:`register` teaches skl2onnx to convert L2Normalizer.

Needs the ``onnx`` extra (``pip install "sklearn-l2[onnx]"``): skl2onnx, and
onnxruntime to run the exported model. Importing this module imports neither;
:func:`register` imports skl2onnx.
"""

from ._onnx import register

__all__ = ["register"]
