"""The test gate says what did not run: a run that skipped the real-part tests ends with a loud box."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_a_run_without_chromium_ends_saying_it_was_not_a_full_run() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["WPARCHIVE_CHROMIUM"] = "/nonexistent/chromium"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser.py"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    last = result.stdout.strip().splitlines()[-3:]
    assert "NOT A FULL RUN" in last[0]
    assert "tests of headless Chromium (make system-deps) did not run" in last[1]


def test_the_same_run_on_ci_fails_instead() -> None:
    env = {**os.environ, "CI": "true", "WPARCHIVE_CHROMIUM": "/nonexistent/chromium"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser.py", "-x"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1 and "missing on CI: no Chromium" in result.stdout
