"""The architecture holds: the core is free of Telegram and SQL, and the limits it keeps match Telegram's."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from telegram.constants import FloodLimit, InlineKeyboardButtonLimit, MessageLimit, PollLimit

from content import limits

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SQL_CALLS = {"exec", "execute", "scalar", "scalars", "exec_driver_sql", "run_sync"}


def test_the_cores_copy_of_telegrams_limits_matches_the_library() -> None:
    assert limits.MAX_MESSAGE_LENGTH == MessageLimit.MAX_TEXT_LENGTH
    assert limits.MAX_CAPTION_LENGTH == MessageLimit.CAPTION_LENGTH
    assert limits.MAX_CALLBACK_DATA == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert limits.POLL_MAX_QUESTION == PollLimit.MAX_QUESTION_LENGTH
    assert limits.POLL_MAX_OPTIONS == PollLimit.MAX_OPTION_NUMBER
    assert limits.POLL_MAX_OPTION == PollLimit.MAX_OPTION_LENGTH
    assert limits.POLL_MAX_EXPLANATION == PollLimit.MAX_EXPLANATION_LENGTH
    assert limits.POLL_MAX_EXPLANATION_LINE_FEEDS == PollLimit.MAX_EXPLANATION_LINE_FEEDS
    assert limits.POLL_MIN_OPEN_PERIOD == PollLimit.MIN_OPEN_PERIOD
    assert limits.MESSAGES_PER_SECOND == FloodLimit.MESSAGES_PER_SECOND
    assert limits.MESSAGES_PER_MINUTE_PER_GROUP == FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("bot", "content", "storage"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("bot/tutor/selection.py", "from telegram.constants import PollLimit", "never imports Telegram"),
        ("content/drills.py", "import telegram", "never imports Telegram"),
        ("bot/tutor/practice.py", "from sqlmodel import select", "SQL is built only in storage"),
        ("bot/views/revise.py", "from storage.models import Learner", "never storage"),
    ],
)
def test_the_layer_contract_fails_when_the_core_imports_telegram_or_sql(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    tree = _copy_of_the_code(tmp_path)
    target = tree / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert broken in result.stdout.split("Broken contracts")[1]


def test_the_layer_contract_holds_for_the_code_as_it_is(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_code(tmp_path))
    assert result.returncode == 0, result.stdout


def _sql_calls(path: Path, root: Path = REPO) -> list[str]:
    """Calls that run a statement on a session or connection (`session.exec(...)` and the like)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in SQL_CALLS:
            found.append(f"{path.relative_to(root)}:{node.lineno}: .{node.func.attr}(...)")
    return found


def test_no_statement_is_run_outside_storage() -> None:
    modules = [*(REPO / "bot").rglob("*.py"), *(REPO / "content").rglob("*.py")]
    assert modules
    calls = [call for module in modules for call in _sql_calls(module)]
    assert calls == []


def test_the_sql_check_sees_a_statement_run_in_the_core(tmp_path: Path) -> None:
    module = tmp_path / "rogue.py"
    module.write_text("async def f(session):\n    await session.exec(select(Learner))\n", encoding="utf-8")
    assert _sql_calls(module, tmp_path) == ["rogue.py:2: .exec(...)"]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert f"```sh\n{ci}\n```" in readme
