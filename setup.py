"""Builds the extraction hot path with mypyc (see spiders/extraction/_native.py).

Everything else is declared in pyproject.toml. Without mypyc or a C compiler, or with
WPARCHIVE_COMPILE=0, the package installs as plain Python and behaves the same, only slower.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_wparchive_native", ROOT / "spiders" / "extraction" / "_native.py")
native = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)


class BuildRecordingHashes(build_ext):
    """build_ext that records the sources it compiled, only once every module was built: an
    optional extension that fails to compile leaves its old file behind, which must not pass for
    current (spiders/extraction/_native.py then runs the sources)."""

    def run(self) -> None:
        ours = [ext for ext in self.extensions if ext.name.startswith(native.PACKAGE)]
        records = {Path(self.get_ext_fullpath(ext.name)).parent / native.BUILD_RECORD for ext in ours}
        for record in records:
            record.unlink(missing_ok=True)
        self.built_names: set[str] = set()
        super().run()
        if ours and all(ext.name in self.built_names for ext in ours):
            for record in records:
                record.write_text(json.dumps(native.source_hashes(ROOT / "spiders" / "extraction"), indent=1) + "\n")

    def build_extension(self, ext) -> None:
        super().build_extension(ext)  # raises when it fails (caught and reported for optional ones)
        self.built_names.add(ext.name)


def compiled_extensions() -> list:
    if os.environ.get("WPARCHIVE_COMPILE", "1") == "0":
        return []
    if set(sys.argv[1:2]) & {"egg_info", "dist_info"}:
        return []  # metadata only: nothing is built, and mypyc's type check takes seconds
    if "bdist_egg" in sys.argv:
        # An egg (scrapyd-deploy) is imported from a zip file, where compiled modules do not load.
        print("wparchive: an egg holds the extraction as plain Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("wparchive: mypyc is not available; installing the extraction as plain Python", file=sys.stderr)
        return []
    paths = [f"spiders/extraction/{name}.py" for name in native.COMPILED_MODULES]
    try:
        extensions = mypycify(["--ignore-missing-imports", *paths], opt_level="3", group_name="wparchive_extraction")
    except BaseException as error:  # noqa: BLE001 - a failed compile falls back to Python
        print(f"wparchive: mypyc could not compile the extraction ({error}); plain Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: plain Python, not a failed install
    return extensions


setup(ext_modules=compiled_extensions(), cmdclass={"build_ext": BuildRecordingHashes})
