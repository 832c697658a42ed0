"""Build neurocore's C extensions.

One extension per family: ``csrc/bindings/<family>.c`` becomes ``neurocore.<family>._<family>``;
a sub-package binding ``csrc/bindings/<family>/<part>.c`` becomes ``neurocore.<family>.<part>._<part>``.
It is compiled together with ``csrc/kernels/<family>.c`` (and ``<family>_*.c``), the core kernels
(``random.c``, ``blas.c``) and any other kernel families its binding names on a line
``/* neurocore-kernels: plasticity rls */`` near its top. Adding a family therefore means adding
files, never editing this script.

Environment knobs (for development, never needed by users):
  NEUROCORE_ONLY=rate,spiking   build only these families
  NEUROCORE_BLAS=fallback       compile the plain-C BLAS fallback only (sanitizer builds)
  NEUROCORE_EXTRA_CFLAGS="..."  extra compiler flags, appended (e.g. -fsanitize=address; make test-asan)
  NEUROCORE_EXTRA_LDFLAGS="..." extra linker flags
"""
import os
import re
import sys
from glob import glob

import numpy as np
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_KERNELS = ["random", "blas", "vecmath"]


def kernel_sources(name):
    base = os.path.join("csrc", "kernels", name)
    found = sorted(glob(base + ".c") + glob(base + "_*.c"))
    return found


def declared_kernels(binding_path):
    with open(binding_path, encoding="utf-8") as fh:
        head = fh.read(4000)
    m = re.search(r"neurocore-kernels:\s*([\w\s]+?)\s*\*/", head)
    return m.group(1).split() if m else []


def extensions():
    only = os.environ.get("NEUROCORE_ONLY")
    only = set(only.split(",")) if only else None
    cflags = ["-O3", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter",
              "-Wno-missing-field-initializers", "-fno-math-errno",
              "-fno-trapping-math", "-ffp-contract=fast"]
    cflags += os.environ.get("NEUROCORE_EXTRA_CFLAGS", "").split()
    ldflags = os.environ.get("NEUROCORE_EXTRA_LDFLAGS", "").split()
    macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
    if os.environ.get("NEUROCORE_BLAS") == "fallback":
        macros.append(("NC_BLAS_FALLBACK_ONLY", "1"))
    exts = []
    bindings = sorted(glob(os.path.join("csrc", "bindings", "*.c")) +
                      glob(os.path.join("csrc", "bindings", "*", "*.c")))
    for binding in bindings:
        rel = os.path.splitext(os.path.relpath(binding, os.path.join("csrc", "bindings")))[0]
        parts = rel.split(os.sep)
        family = parts[-1]
        if only is not None and family not in only and parts[0] not in only:
            continue
        names = CORE_KERNELS + [family] + declared_kernels(binding)
        sources = [binding]
        for name in dict.fromkeys(names):
            sources += kernel_sources(name)
        exts.append(Extension(
            "neurocore." + ".".join(parts) + f"._{family}",
            sources=sources,
            include_dirs=[np.get_include(), "csrc/include", "csrc/kernels", "csrc/bindings"],
            define_macros=macros,
            extra_compile_args=cflags,
            extra_link_args=ldflags,
            libraries=["m"],
        ))
    return exts


setup(ext_modules=extensions())
