"""Build of the compiled kernels; the project's metadata is in pyproject.toml."""

import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup


def _compiler_flags():
    # No fused multiply-add where the source has none: the error bounds of
    # the compensated sums assume each operation is rounded on its own.
    if sys.platform == "win32":
        # clang-cl (set CC=clang-cl): MSVC itself has no vector extensions.
        compile_args = ["/O2", "/clang:-ffp-contract=off", "/clang:-fno-math-errno"]
        link_args = []
        openmp = (["/openmp"], [])
    else:
        compile_args = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-Wno-psabi"]
        link_args = []
        # Apple's clang has no OpenMP unless libomp is installed: the kernels
        # then run on one thread.
        openmp = ([], []) if sys.platform == "darwin" else (["-fopenmp"], ["-fopenmp"])
    if os.environ.get("SKLEARN_L2_OPENMP", "1") != "0":
        compile_args += openmp[0]
        link_args += openmp[1]
    return compile_args, link_args


compile_args, link_args = _compiler_flags()
extension = Extension(
    "sklearn_l2._kernels",
    sources=["sklearn_l2/_kernels.pyx"],
    depends=["sklearn_l2/_vector.h"],
    include_dirs=["sklearn_l2"],
    extra_compile_args=compile_args,
    extra_link_args=link_args,
)
setup(ext_modules=cythonize([extension], compiler_directives={"language_level": 3}))
