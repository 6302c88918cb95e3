"""The compiled extraction (mypyc, `setup.py`): it runs, it agrees with the Python sources, and a
compiled build older than its sources is never what runs."""

from __future__ import annotations

import dataclasses
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import spiders.extraction
from spiders.evaluation import cases, load_case
from spiders.extraction import _native
from spiders.extraction.page import extract_post
from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "extract"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]

# Prints every fixture page's extraction as JSON, and the build that made it.
DUMP = """
import dataclasses, json, sys
from pathlib import Path
import spiders.extraction
from spiders.evaluation import cases, load_case
from spiders.extraction.page import extract_post
pages = {}
for folder in cases(Path(sys.argv[1])):
    text, expected = load_case(folder)
    pages[folder.name] = dataclasses.asdict(extract_post(text, expected["url"]))
print(json.dumps({"build": spiders.extraction.BUILD, "pages": pages}, sort_keys=True))
"""

WHICH = """
import spiders.extraction, spiders.extraction.page as page
print(spiders.extraction.BUILD, page.__file__)
"""


def _compiled_here() -> None:
    asked = os.environ.get(_native.PURE_PYTHON_VARIABLE, "") not in ("", "0")
    require(
        spiders.extraction.BUILD == "compiled",
        f"the extraction runs from its Python sources here (build: {_native.build_state()}"
        + (f", {_native.PURE_PYTHON_VARIABLE} is set)" if asked else "; `make install` with a C compiler)"),
    )


def _python(code: str, *args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.pop(_native.PURE_PYTHON_VARIABLE, None)
    environment.update(PYTHONPATH=str(cwd), **env)
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_extraction_runs_compiled() -> None:
    _compiled_here()
    assert spiders.extraction.page.__file__.endswith(SUFFIX)
    assert _native.build_state() == "compiled"


def test_compiled_and_python_sources_extract_the_same() -> None:
    """Every field of every fixture page, the compiled build against the Python sources."""
    _compiled_here()
    compiled = {}
    for folder in cases(CORPUS):
        text, expected = load_case(folder)
        compiled[folder.name] = dataclasses.asdict(extract_post(text, expected["url"]))
    compiled = json.loads(json.dumps(compiled, sort_keys=True))
    result = json.loads(_python(DUMP, str(CORPUS), WPARCHIVE_PURE_PYTHON="1").stdout)
    assert result["build"] == "python"
    assert len(result["pages"]) == len(compiled) >= 35
    assert sum(len(page["comments"]) for page in compiled.values()) > 400
    for name, page in compiled.items():
        assert result["pages"][name] == page, name


def _copy_of_the_package(destination: Path) -> Path:
    """spiders/ with its compiled modules and their shared library, in another folder."""
    shutil.copytree(ROOT / "spiders", destination / "spiders", ignore=shutil.ignore_patterns("__pycache__"))
    for library in ROOT.glob(f"*__mypyc{SUFFIX}"):
        shutil.copy2(library, destination)
    return destination / "spiders" / "extraction"


def test_a_source_edited_after_the_build_runs_from_source(tmp_path: Path) -> None:
    _compiled_here()
    extraction = _copy_of_the_package(tmp_path)
    build, module = _python(WHICH, cwd=tmp_path).stdout.split()
    assert (build, Path(module)) == ("compiled", extraction / f"page{SUFFIX}")

    with (extraction / "regions.py").open("a") as source:
        source.write("\n# edited after the build\n")
    ran = _python(WHICH, cwd=tmp_path)
    build, module = ran.stdout.split()
    assert (build, Path(module)) == ("python", extraction / "page.py")
    assert "CompiledExtractionIsStale" in ran.stderr and "make install" in ran.stderr


def test_asking_for_the_python_sources(tmp_path: Path) -> None:
    _compiled_here()
    _copy_of_the_package(tmp_path)
    ran = _python(WHICH, cwd=tmp_path, WPARCHIVE_PURE_PYTHON="1")
    assert ran.stdout.split()[0] == "python" and ran.stdout.split()[1].endswith("page.py")
    assert "CompiledExtractionIsStale" not in ran.stderr


@pytest.mark.parametrize(
    ("compiled", "record", "state"),
    [
        ([], None, "absent"),
        (list(_native.COMPILED_MODULES), "same", "compiled"),
        (list(_native.COMPILED_MODULES), "other", "stale"),
        (list(_native.COMPILED_MODULES), None, "stale"),
        (list(_native.COMPILED_MODULES), "not json", "stale"),
        (list(_native.COMPILED_MODULES[:3]), "same", "stale"),
    ],
)
def test_build_state(tmp_path: Path, compiled: list[str], record: str | None, state: str) -> None:
    for name in _native.COMPILED_MODULES:
        (tmp_path / f"{name}.py").write_text(f"NAME = {name!r}\n")
    for name in compiled:
        (tmp_path / f"{name}{SUFFIX}").write_bytes(b"")
    hashes = _native.source_hashes(tmp_path)
    if record == "same":
        (tmp_path / _native.BUILD_RECORD).write_text(json.dumps(hashes))
    elif record == "other":
        (tmp_path / _native.BUILD_RECORD).write_text(json.dumps({**hashes, "page": "0" * 64}))
    elif record == "not json":
        (tmp_path / _native.BUILD_RECORD).write_text("{")
    assert _native.build_state(tmp_path) == state
