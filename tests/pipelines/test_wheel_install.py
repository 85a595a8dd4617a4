"""A non-editable install runs the demo pipeline outside the repository.

Why: a wheel in a container has no repository around it. The SQL files (firmo/sql/), the
reference CSVs (firmo/reference/) and the waterfall's YAML must ship as package data and be found
beside the installed modules, never through the repository path. The test builds the project from
a copy of its packages only (no VCS, no data/, no tests/), installs it with pip into a folder
(`--no-deps --target`: the dependencies are the venv's), and runs `python -m pipelines.cli run
--demo` from a working directory outside the repository, with nothing of the repository on the
path and a fresh data folder.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("firmo", "sources", "waterfall", "assets", "pipelines")
COMPANIES = 1_000  # the generator's few deliberate defects stay under the 1% reject threshold


def _build_backend_here() -> bool:
    """The venv can build the wheel itself (setuptools with bdist_wheel, or the wheel package)."""
    return any(importlib.util.find_spec(name) for name in ("wheel", "setuptools.command.bdist_wheel"))


def _install(tmp_path: Path) -> Path:
    src, site = tmp_path / "src", tmp_path / "site"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    args = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(src)]
    if _build_backend_here():
        args.insert(-1, "--no-build-isolation")
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return site


def _env(site: Path, run_dir: Path) -> dict[str, str]:
    """A clean environment: no FIRMO_*, DAGSTER_HOME or provider key of the caller leaks in."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"}}
    env.update(
        PYTHONPATH=str(site),
        FIRMO_DATA_DIR=str(run_dir / "data"),
        FIRMO_ICP_DIR=str(run_dir / "icps"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.mark.slow
def test_an_installed_wheel_runs_the_demo_outside_the_repository(tmp_path):
    site = _install(tmp_path)
    assert sorted(
        p.relative_to(site / "firmo" / "sql").as_posix() for p in (site / "firmo" / "sql").rglob("*.sql")
    ) == sorted(
        p.relative_to(REPO_ROOT / "firmo" / "sql").as_posix() for p in (REPO_ROOT / "firmo" / "sql").rglob("*.sql")
    )
    assert (site / "firmo" / "reference" / "role_codes.csv").is_file()
    assert (site / "waterfall" / "demo.yaml").is_file()

    run_dir = tmp_path / "run"
    (run_dir / "icps").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "icps" / "pme_croissance.yaml", run_dir / "icps")  # as a container mounts its ICPs
    env = _env(site, run_dir)

    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import firmo, pipelines.cli, sources, firmo.sqlfiles as s; "
            "print(firmo.__file__); print(pipelines.cli.__file__); print(s.SQL_DIR)",
        ],
        capture_output=True,
        text=True,
        cwd=run_dir,
        env=env,
        timeout=120,
    )
    assert where.returncode == 0, where.stderr[-2000:]
    assert [Path(line).is_relative_to(site) for line in where.stdout.split()] == [True, True, True], where.stdout

    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--demo", "--companies", str(COMPANIES)],
        capture_output=True,
        text=True,
        cwd=run_dir,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    out = done.stdout
    rows = dict(re.findall(r"^(\S+\.\S+)\s+([\d,]+)\s+[\d,]+$", out, re.M))
    # the queries ran (registry tables built by firmo/sql/) and the reference CSVs were read
    assert rows["sirene.unites_legales"] == f"{COMPANIES:,}"
    assert {t: rows[t] for t in ("ref.rne_roles", "ref.naf_codes", "ref.communes", "ref.regions")} == {
        "ref.rne_roles": "84",
        "ref.naf_codes": "732",
        "ref.communes": "37,590",
        "ref.regions": "18",
    }
    assert int(rows["leads.pme_croissance"].replace(",", "")) > 0
    checks = re.search(r"Data quality: (\d+) of (\d+) checks passed", out)
    assert checks and checks.group(1) == checks.group(2), out[-2000:]
    exports = run_dir / "data" / "exports" / "pme_croissance"
    assert sorted(p.parent.name for p in exports.glob("*/*.csv")) == ["hubspot", "pipedrive", "salesforce"]
    assert not (site / "data").exists()  # nothing fell back to a path beside the installed code
