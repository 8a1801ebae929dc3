"""Help is the documentation: every command and every option of ``pressarchive`` says what it is for."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from flows.cli import app


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


def test_every_command_and_option_has_help() -> None:
    commands = _commands()
    assert {"demo", "crawl", "sql", "sandbox"} <= set(commands)
    missing = []
    for name, command in commands.items():
        if not (command.help or "").strip():
            missing.append(name)
        for param in command.params:
            if param.name != "help" and not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.name}")
    assert not missing, f"without help text: {missing}"


def test_help_runs_for_every_command() -> None:
    runner = CliRunner()
    for name in _commands():
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_bad_registry_is_one_sentence_not_a_trace(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nid = "x"\nname = "X"\nhomepage = "nope"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["crawl", "--registry", str(bad)], env={"PRESSARCHIVE_HOME": str(tmp_path)})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "field 'homepage'" in result.output and str(bad) in result.output
