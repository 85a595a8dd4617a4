"""firmo.settings is the only reader of the process environment in the packages, and nothing reads
it at import time: the entry points build `Settings.from_env()` when they start and pass it down."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("firmo", "sources", "waterfall", "assets", "pipelines")
READER = REPO / "firmo" / "settings.py"


def _environment_uses(path: Path) -> list[str]:
    """`os.environ`, `os.getenv`, `os.putenv`/`unsetenv` and `from os import environ/getenv` in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "putenv", "unsetenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ("environ", "environb", "getenv", "putenv", "unsetenv"):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: from os import {alias.name}")
    return found


def test_only_firmo_settings_touches_the_environment():
    offenders = [use for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))
                 if path != READER for use in _environment_uses(path)]
    assert offenders == [], "read the environment through firmo.settings.Settings:\n" + "\n".join(offenders)
    assert _environment_uses(READER)  # the reader itself does (else this test looks at the wrong file)


def test_importing_every_module_reads_no_variable():
    """Import every module of the packages in a fresh interpreter whose `os.environ` records each
    access made from our code: none may happen at import (a default computed from a variable at
    import cannot be rebuilt with other settings). Third-party libraries may read theirs."""
    script = textwrap.dedent(f"""
        import importlib, os, pkgutil, sys
        sys.path.insert(0, {str(REPO)!r})
        ours = tuple({str(REPO)!r} + "/" + p + "/" for p in {PACKAGES!r})
        reads = []

        class Recording(type(os.environ)):
            def __getitem__(self, key):
                frame = sys._getframe(1)
                while frame and frame.f_code.co_filename.endswith(("os.py", "_collections_abc.py", " os>", "_collections_abc>")):
                    frame = frame.f_back
                if frame and frame.f_code.co_filename.startswith(ours):
                    reads.append(f"{{frame.f_code.co_filename}}:{{frame.f_lineno}} {{key}}")
                return super().__getitem__(key)

        env = os.environ
        env.__class__ = Recording
        names = []
        for package in {PACKAGES!r}:
            module = importlib.import_module(package)
            names.append(package)
            for info in pkgutil.walk_packages(module.__path__, package + "."):
                if ".fake." in info.name + "." and info.name.endswith("__main__"):
                    continue
                importlib.import_module(info.name)
                names.append(info.name)
        print(len(names))
        print("\\n".join(reads))
        print("-- then, at run time:")
        from firmo.settings import Settings
        Settings.from_env()
        print(len(reads))
    """)
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    count, *lines = done.stdout.strip().splitlines()
    at_import, at_run = [x for x in lines[: lines.index("-- then, at run time:")] if x], lines[-1]
    assert int(count) > 100  # every module was imported, not just the packages
    assert at_import == []
    assert int(at_run) >= 30  # the recorder sees a read: Settings.from_env() asks for every variable
