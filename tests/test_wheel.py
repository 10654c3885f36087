"""The package a user installs works: the wheel, in a fresh environment outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def _source_copy(tmp_path: Path) -> Path:
    """What the project's build reads, copied, so that building writes nothing into the repository."""
    source = tmp_path / "source"
    for folder in ("bot", "content", "storage"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    return source


def test_the_built_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    source = _source_copy(tmp_path)
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp_path / "dist",
        source,
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("retain-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"content/bank/published.txt", "content/bank/catalogue.yaml"} <= names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert {"bot/fonts/DejaVuSans.ttf", "bot/fonts/DejaVuSans-Bold.ttf", "bot/fonts/LICENSE_DEJAVU"} <= names
    assert any(name.endswith("licenses/bot/fonts/LICENSE_DEJAVU") for name in names)

    venv = tmp_path / "fresh"
    assert _run(sys.executable, "-m", "venv", venv, cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    # Dependencies come from the test environment (no network); the package itself from the wheel.
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path)
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PYTHON"))}
    where = _run(
        python,
        "-c",
        "import bot, content; print(bot.__file__); print(content.__file__)",
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout

    checked = _run(python, "-m", "content", "check", cwd=tmp_path, env=env)
    assert all(part in checked.stdout for part in ("is sound", "Guessability:", "Coverage:")), checked.stdout
    assert checked.returncode == 0, checked.stderr
    published = _run(
        python,
        "-c",
        "from content.published import read_published; from bot.config import CONTENT_DIR; "
        "print(len(read_published(CONTENT_DIR)))",
        cwd=tmp_path,
        env=env,
    )
    assert int(published.stdout.strip()) > 200  # the published ids travel with the bank

    migrated = _run(
        python,
        "-c",
        "import asyncio; from storage.db import Database; asyncio.run(Database('sqlite:///fresh.db').prepare())",
        cwd=tmp_path,
        env=env,
    )
    assert migrated.returncode == 0, migrated.stderr  # the migrations travel with the package

    charted = _run(
        python,
        "-c",
        "from bot.charts import REGULAR, BOLD, area_chart; print(REGULAR); print(BOLD); "
        "print(area_chart([('Customer retention', 0.5, 'right 1 of 2 recently')], 'Title', 'Axis')[:4])",
        cwd=tmp_path,
        env=env,
    )
    assert charted.returncode == 0, charted.stderr  # the fonts travel with the package
    *fonts, png = charted.stdout.split()
    assert all(font.startswith(str(venv)) for font in fonts) and png == repr(b"\x89PNG")

    no_token = _run(python, "-m", "bot", cwd=tmp_path, env=env)
    assert no_token.returncode == 2
    assert "@BotFather" in no_token.stderr and "Traceback" not in no_token.stderr
