"""The extraction modules compiled to C with mypyc, and the guard that keeps them honest.

`pip install -e .` (every `make` target) compiles the modules in `COMPILED_MODULES` when mypyc
and a C compiler are at hand (`setup.py`), and records a hash of each source it compiled in
`_native_build.json` beside them. Compiled modules are found before the `.py` files, so a source
edited since the build would be shadowed by its old compiled self: when any source differs from
what was compiled, the package loads all of them from source instead (and warns), so the code
that runs is always the code on disk. `WPARCHIVE_PURE_PYTHON=1` loads the sources on purpose
(to debug with full tracebacks, or to compare both builds). Standard library only: `setup.py`
reads this file before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "spiders.extraction"
# The hot path of `extract_post`, compiled together (they call each other natively).
COMPILED_MODULES = ("breadcrumbs", "comments", "dates", "index", "page", "regions", "sharing", "text")
BUILD_RECORD = "_native_build.json"
PURE_PYTHON_VARIABLE = "WPARCHIVE_PURE_PYTHON"


class CompiledExtractionIsStale(UserWarning):
    """The compiled extraction modules were built from other sources than those on disk."""


def source_hashes(directory: Path = HERE) -> dict[str, str]:
    """sha256 of each compiled module's source."""
    return {name: hashlib.sha256((directory / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED_MODULES}


def compiled_files(directory: Path = HERE) -> list[Path]:
    """The compiled modules present beside the sources."""
    return [
        directory / f"{name}{suffix}"
        for name in COMPILED_MODULES
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if (directory / f"{name}{suffix}").exists()
    ]


def build_state(directory: Path = HERE) -> str:
    """ "compiled" (built from the sources on disk), "stale" (built from other sources, or only in
    part) or "absent" (not compiled: a plain install, or no C compiler)."""
    found = compiled_files(directory)
    if not found:
        return "absent"
    record = directory / BUILD_RECORD
    if len(found) != len(COMPILED_MODULES) or not record.exists():
        return "stale"
    try:
        recorded = json.loads(record.read_text())
    except ValueError:
        return "stale"
    return "compiled" if recorded == source_hashes(directory) else "stale"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' `.py` files ahead of their compiled versions."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE or name not in COMPILED_MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, HERE / f"{name}.py")


def choose_build() -> str:
    """Decide, before any extraction module is imported, which build runs: "compiled", or
    "python" (not compiled, asked for, or stale: then with a warning)."""
    state = build_state()
    wanted_python = os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0")
    if state == "compiled" and not wanted_python:
        return "compiled"
    if state == "stale" and not wanted_python:
        warnings.warn(
            "wparchive: the compiled extraction modules do not match their sources (edited since the "
            "build, or the last build failed); running the sources (slower). Rebuild with `make install` "
            "(or `pip install -e .`).",
            CompiledExtractionIsStale,
            stacklevel=3,
        )
    if state != "absent" and not any(isinstance(finder, _SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder())
    return "python"
