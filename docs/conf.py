"""Sphinx configuration of the neurocore documentation (``make docs``).

Everything that can drift from the code is generated from the code when the build starts, into
``docs/_gen/`` (ignored by git):

* the API reference: one page per subpackage, with every name in its ``__all__`` (functions,
  classes with their public methods, exceptions, registries) documented once by autodoc, and an
  autosummary table on top; a name exported again by a parent package links to that entry;
* the "which model is which paper" table, from the ``NAME``/``TITLE``/``PAPER`` attributes of the
  modules in ``neurocore.experiments`` (the family column comes from each module's imports);
* the figure gallery: the PNGs that ``make demo`` writes to ``results/`` (or ``$NEUROCORE_RESULTS``)
  are copied into ``docs/gallery/`` (kept in git, so the README and a fresh clone show them) and
  listed per experiment.

After the build, every public symbol is checked to have an entry; a missing one is a warning, and
``make docs`` turns warnings into errors (``-W``).
"""
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import neurocore  # noqa: E402

project = "neurocore"
author = "neurocore developers"
copyright = "neurocore developers"
version = release = neurocore.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
autosummary_generate = False          # the pages below are written by this file
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True              # "Attributes" sections: no second object description per field
napoleon_use_rtype = False
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "alabaster"
html_theme_options = {"description": "theoretical neuroscience on a C core", "page_width": "1100px"}
templates_path = []
# Generated at build time; see _generate() below.
GEN = os.path.join(HERE, "_gen")
GALLERY = os.path.join(HERE, "gallery")
RESULTS = os.environ.get("NEUROCORE_RESULTS", os.path.join(ROOT, "results"))

FAMILY_BLURB = {}            # package -> first line of its docstring
DOCUMENTED = {}              # public name "neurocore.x.Y" -> where it is documented
SKIPPED = []                 # (package, reason) for packages that did not import


# ------------------------------------------------------------------------------------------- helpers
def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
    if old != text:                       # unchanged files keep their mtime: incremental builds stay quick
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def _title(text, ch="="):
    return f"{text}\n{ch * len(text)}\n"


def _packages():
    """Every importable package of neurocore that declares ``__all__`` (experiments separately)."""
    out = []
    for info in pkgutil.walk_packages(neurocore.__path__, prefix="neurocore.", onerror=lambda name: None):
        if not info.ispkg or any(p.startswith("_") for p in info.name.split(".")[1:]):
            continue
        if info.name == "neurocore.experiments":
            continue
        try:
            mod = importlib.import_module(info.name)
        except Exception as err:  # noqa: BLE001 - reported as a warning after the build
            SKIPPED.append((info.name, f"{type(err).__name__}: {err}"))
            continue
        if hasattr(mod, "__all__"):
            out.append(mod)
    return sorted(out, key=lambda m: m.__name__)


def _kind(obj):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def _data_doc(pkg, name, obj):
    """Doc text for a module-level constant: its ``#:`` comment in the defining submodule, plus its keys."""
    from sphinx.pycode import ModuleAnalyzer
    lines = []
    for info in pkgutil.iter_modules(pkg.__path__, prefix=pkg.__name__ + "."):
        sub = sys.modules.get(info.name)
        if sub is None or getattr(sub, name, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(info.name).find_attr_docs()
        except Exception:  # noqa: BLE001 - no source available
            continue
        if ("", name) in docs:
            lines = [line for line in docs[("", name)] if line.strip()]
            break
    if isinstance(obj, dict) and len(obj) <= 40:
        keys = ", ".join(f"``{k!s}``" for k in obj)
        lines.append("")
        lines.append(f"Keys: {keys}.")
    return lines


# --------------------------------------------------------------------------------------- API pages
def _api_pages():
    pkgs = _packages()
    canonical = {}            # id(obj) -> documented full name
    pages = []
    for pkg in pkgs:
        name = pkg.__name__
        doc = inspect.getdoc(pkg) or ""
        FAMILY_BLURB[name] = doc.strip().splitlines()[0] if doc.strip() else ""
        entries, table = [], []
        for sym in pkg.__all__:
            if sym.startswith("__"):
                continue
            full = f"{name}.{sym}"
            if not hasattr(pkg, sym):
                DOCUMENTED.setdefault("__missing__", []).append(full)
                continue
            obj = getattr(pkg, sym)
            kind = _kind(obj)
            if kind == "module":
                first = (inspect.getdoc(obj) or "").strip().split("\n\n")[0]
                table.append(f"   * - :mod:`{sym} <{obj.__name__}>`\n     - {_escape(' '.join(first.split()))}")
                DOCUMENTED[full] = obj.__name__
                if not hasattr(obj, "__path__"):       # a plain submodule: document its docstring here
                    entries.append(f".. automodule:: {obj.__name__}\n   :no-members:\n")
                continue
            key = id(obj) if kind != "data" or isinstance(obj, (dict, list, tuple)) else None
            if key is not None and key in canonical:
                table.append(f"   * - :py:obj:`{sym} <{canonical[key]}>`\n     - see :py:obj:`{canonical[key]}`")
                DOCUMENTED[full] = canonical[key]
                continue
            if key is not None:
                canonical[key] = full
            DOCUMENTED[full] = full
            if kind == "data":
                d = "\n".join(_data_doc(pkg, sym, obj)).strip()
            else:
                d = inspect.getdoc(obj) or ""
            summary = " ".join(d.strip().split("\n\n")[0].split()) if d else ""
            table.append(f"   * - :py:obj:`{sym} <{full}>`\n     - {_escape(summary)}")
            if kind == "function":
                entries.append(f".. autofunction:: {full}\n")
            elif kind == "class":
                entries.append(f".. autoclass:: {full}\n   :members:\n")
            elif kind == "exception":
                entries.append(f".. autoexception:: {full}\n")
            else:
                body = "\n".join("   " + ln if ln else "" for ln in _data_doc(pkg, sym, obj))
                entries.append(f".. py:data:: {full}\n   :module:\n\n{body}\n" if body.strip()
                               else f".. py:data:: {full}\n   :module:\n")
        page = [f".. This page is generated by docs/conf.py from {name}.__all__; do not edit.\n",
                _title(f"``{name}``"),
                f".. automodule:: {name}\n   :no-members:\n",
                _title("Public names", "-"),
                ".. list-table::\n   :widths: 30 70\n\n" + "\n".join(table) + "\n",
                _title("Reference", "-")] + entries
        pages.append(name)
        _write(os.path.join(GEN, "api", f"{name}.rst"), "\n".join(page))
    # The experiments package: its helpers, then every reproduction module.
    import neurocore.experiments as ex
    exp = [".. This page is generated by docs/conf.py; do not edit.\n", _title("``neurocore.experiments``"),
           ".. automodule:: neurocore.experiments\n   :no-members:\n"]
    for sym in ex.__all__:
        obj = getattr(ex, sym)
        kind = _kind(obj)
        directive = {"function": "autofunction", "class": "autoclass", "exception": "autoexception"}[kind]
        exp.append(f".. {directive}:: neurocore.experiments.{sym}\n" + ("   :members:\n" if kind == "class" else ""))
        DOCUMENTED[f"neurocore.experiments.{sym}"] = f"neurocore.experiments.{sym}"
    exp.append(_title("Reproductions", "-"))
    exp.append("One module per reproduced result; ``neurocore reproduce NAME`` runs its ``run``. "
               "See :doc:`../papers` for the papers.\n")
    for mname, mod in _registry().items():
        exp.append(f".. automodule:: {mod.__name__}\n   :no-members:\n")
        exp.append(f".. autofunction:: {mod.__name__}.run\n")
        DOCUMENTED[f"{mod.__name__}.run"] = f"{mod.__name__}.run"
    pages.append("neurocore.experiments")
    _write(os.path.join(GEN, "api", "neurocore.experiments.rst"), "\n".join(exp))
    # The top-level package.
    top = [".. This page is generated by docs/conf.py; do not edit.\n", _title("``neurocore``"),
           ".. automodule:: neurocore\n   :no-members:\n"]
    for sym in neurocore.__all__:
        if sym.startswith("__"):
            continue
        kind = _kind(getattr(neurocore, sym))
        directive = {"function": "autofunction", "class": "autoclass", "exception": "autoexception"}[kind]
        top.append(f".. {directive}:: neurocore.{sym}\n")
        DOCUMENTED[f"neurocore.{sym}"] = f"neurocore.{sym}"
    _write(os.path.join(GEN, "api", "neurocore.rst"), "\n".join(top))
    index = [".. This page is generated by docs/conf.py; do not edit.\n", _title("API reference"),
             "Every name a subpackage exports (its ``__all__``) is documented on that subpackage's page. "
             "Docstrings follow the NumPy format and state units; every stochastic function takes "
             "``rng`` (an int seed or a :class:`numpy.random.Generator`).\n",
             ".. toctree::\n   :maxdepth: 1\n\n   neurocore\n" + "".join(f"   {p}\n" for p in pages)]
    if SKIPPED:
        index.append("\n.. note::\n\n   Not documented because they did not import: "
                     + ", ".join(f"``{n}``" for n, _ in SKIPPED) + ".\n")
    _write(os.path.join(GEN, "api", "index.rst"), "\n".join(index))


def _escape(text):
    """One summary line, safe inside a list-table cell."""
    text = _escape_bars(text)
    # stray single asterisks or backquotes would start unterminated inline markup
    if text.count("*") % 2:
        text = text.replace("*", "\\*")
    if text.count("`") % 2:
        text = text.replace("`", "\\`")
    return text


# ----------------------------------------------------------------------------- papers and gallery
_REGISTRY = {}
EXP_SKIPPED = []             # (module, reason) for experiment modules that did not import


def _registry():
    """NAME -> module for every experiment module; one that fails to import is recorded, not fatal."""
    if not _REGISTRY:
        import neurocore.experiments as ex
        for info in pkgutil.iter_modules(ex.__path__):
            if info.name.startswith("_"):
                continue
            try:
                mod = importlib.import_module(f"neurocore.experiments.{info.name}")
            except Exception as err:  # noqa: BLE001 - reported as a warning after the build
                EXP_SKIPPED.append((f"neurocore.experiments.{info.name}", f"{type(err).__name__}: {err}"))
                continue
            if hasattr(mod, "NAME") and hasattr(mod, "run"):
                _REGISTRY[mod.NAME] = mod
    return dict(sorted(_REGISTRY.items()))


def _families_of(mod):
    src = inspect.getsource(mod)
    fams = set(re.findall(r"from \.\.(\w+)", src)) | set(re.findall(r"neurocore\.(\w+)", src))
    return sorted(f for f in fams if f not in ("experiments", "_random", "_validate", "errors")
                  and importlib.util.find_spec(f"neurocore.{f}") is not None)


def _papers_page():
    reg = _registry()
    rows = []
    for name, mod in reg.items():
        fams = ", ".join(f":mod:`neurocore.{f}`" for f in _families_of(mod)) or "--"
        rows.append(f"   * - ``{name}``\n     - {_escape(mod.TITLE)}\n     - {_escape(mod.PAPER)}\n"
                    f"     - {fams}\n     - :mod:`{mod.__name__}`")
    text = [".. This page is generated by docs/conf.py from the experiment modules; do not edit.\n",
            _title("Which model is which paper"),
            "Each row is one reproduction: ``neurocore reproduce NAME [--quick]`` runs it and writes its "
            "figure(s) and a ``report.md`` row per checked number. **Cite the paper** in the third column "
            "when you use the model; the subpackages implement it, the experiment module documents the "
            "protocol and where every expected value comes from.\n",
            ".. list-table::\n   :header-rows: 1\n   :widths: 16 30 30 12 12\n\n"
            "   * - NAME\n     - what is reproduced\n     - paper (cite this)\n     - subpackages\n"
            "     - module\n" + "\n".join(rows) + "\n"]
    _write(os.path.join(GEN, "papers.rst"), "\n".join(text))
    return reg


def _refresh_gallery():
    """Copy the figures of the last ``make demo`` (if any) into docs/gallery/."""
    if not os.path.isdir(RESULTS):
        return 0
    n = 0
    os.makedirs(GALLERY, exist_ok=True)
    for fn in sorted(os.listdir(RESULTS)):
        if fn.lower().endswith(".png"):
            src, dst = os.path.join(RESULTS, fn), os.path.join(GALLERY, fn)
            if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
                shutil.copyfile(src, dst)
            n += 1
    return n


def _owner(fn, names):
    stem = os.path.splitext(fn)[0]
    hits = [n for n in names if stem == n or stem.startswith(n + "_")]
    if hits:
        return max(hits, key=len)
    # figures named after a shared helper (e.g. surprise_gaussian writes surprise_gaussian_*.png)
    return None


def _gallery_page(reg):
    _refresh_gallery()
    pngs = sorted(f for f in os.listdir(GALLERY) if f.lower().endswith(".png")) if os.path.isdir(GALLERY) else []
    by = {}
    for fn in pngs:
        by.setdefault(_owner(fn, reg), []).append(fn)
    text = [".. This page is generated by docs/conf.py from docs/gallery/; do not edit.\n", _title("Figure gallery"),
            "The figures of every reproduction, as ``make demo`` (``neurocore reproduce all --quick --out "
            "results``) writes them. ``make docs`` copies ``results/*.png`` into ``docs/gallery/`` and lists "
            "them here; run ``make demo`` first to refresh them.\n"]
    if not pngs:
        text.append(".. note::\n\n   No figures yet: run ``make demo``, then ``make docs``.\n")
    for name, mod in reg.items():
        figs = by.get(name, [])
        if not figs:
            continue
        text.append(_title(name, "-"))
        text.append(f"{_escape(mod.TITLE)}. *Paper:* {_escape(mod.PAPER)}. Module :mod:`{mod.__name__}`.\n")
        for fn in figs:
            text.append(f".. image:: /gallery/{fn}\n   :width: 100%\n   :alt: {name}\n")
    if by.get(None):
        text.append(_title("Other figures", "-"))
        for fn in by[None]:
            text.append(f"``{fn}``\n\n.. image:: /gallery/{fn}\n   :width: 100%\n")
    _write(os.path.join(GEN, "gallery.rst"), "\n".join(text))


def _notebooks_page():
    nb_dir = os.path.join(ROOT, "notebooks")
    nbs = sorted(f for f in os.listdir(nb_dir) if f.endswith(".ipynb")) if os.path.isdir(nb_dir) else []
    rows = []
    for fn in nbs:
        import json
        with open(os.path.join(nb_dir, fn), encoding="utf-8") as fh:
            cells = json.load(fh)["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0].lstrip("# ").strip() if cells else fn
        rows.append(f"   * - ``notebooks/{fn}``\n     - {_escape(first)}")
    text = [".. This page is generated by docs/conf.py from notebooks/; do not edit.\n", _title("Notebooks"),
            "One teaching notebook per model family. Each explains the model with its equations, runs it "
            "with neurocore at small sizes (well under a minute), plots what the paper is read for and "
            "ends with exercises. They are stored without outputs; ``make test`` executes every one.\n\n"
            "Open them with Jupyter from the environment that ``make test`` builds::\n\n"
            "   make test                      # builds .venv with neurocore and ipykernel\n"
            "   .venv/bin/python -m pip install jupyterlab   # or use any Jupyter pointed at .venv\n"
            "   .venv/bin/jupyter lab notebooks/\n"]
    if rows:
        text.append(".. list-table::\n   :widths: 35 65\n\n" + "\n".join(rows) + "\n")
    _write(os.path.join(GEN, "notebooks.rst"), "\n".join(text))


def _generate():
    _api_pages()
    reg = _papers_page()
    _gallery_page(reg)
    _notebooks_page()



# ------------------------------------------------------------------------------- post-build check
def _check_coverage(app, exception):
    if exception is not None:
        return
    from sphinx.util import logging
    log = logging.getLogger("neurocore-docs")
    objects = app.env.domaindata["py"]["objects"]
    modules = app.env.domaindata["py"]["modules"]
    for pkg, reason in SKIPPED + EXP_SKIPPED:
        log.warning(f"{pkg} is missing from the API reference: import failed ({reason})")
    for full in DOCUMENTED.get("__missing__", []):
        log.warning(f"{full} is listed in __all__ but does not exist")
    for full, target in DOCUMENTED.items():
        if full == "__missing__":
            continue
        if target not in objects and target not in modules:
            log.warning(f"public symbol {full} has no entry in the API reference")


# ------------------------------------------------------------ plain-text tolerance for docstrings
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)]|\(\d+\))\s+\S")
_INLINE_LITERAL = re.compile(r"(``.+?``)")


def _escape_bars(text):
    """``|x|`` (absolute value, norm) is plain-text math in our docstrings, not an RST substitution."""
    parts = _INLINE_LITERAL.split(text)
    return "".join(p if i % 2 else re.sub(r"(?<!\\)\|", r"\\|", p) for i, p in enumerate(parts))


def _tolerate_plain_text(app, what, name, obj, options, lines):
    """Docstrings are written to read well in ``help()``; make the two plain-text habits that are not
    valid reStructuredText render as intended: ``|x|`` and a list that starts right under a sentence."""
    out, literal_indent, prev = [], None, ""
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and stripped and indent <= literal_indent:
            literal_indent = None
        if literal_indent is None:
            m = _LIST_ITEM.match(line)
            if m and prev.strip() and not _LIST_ITEM.match(prev) and \
                    len(prev) - len(prev.lstrip()) == indent and not prev.rstrip().endswith("::"):
                out.append("")
            if not stripped.startswith(".. "):
                line = _escape_bars(line)
            if stripped.endswith("::"):
                literal_indent = indent
        out.append(line)
        prev = line
    lines[:] = out


def setup(app):
    app.connect("autodoc-process-docstring", _tolerate_plain_text)
    app.connect("build-finished", _check_coverage)
    return {"parallel_read_safe": True}


_generate()
