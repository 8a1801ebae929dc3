"""``pressarchive sql | search | export | report`` through typer's CliRunner, on real archive files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
from batchfactory import art, hold_archive, make_batch
from click.core import Argument
from typer.main import get_command
from typer.testing import CliRunner

from flows.cli_archive import COMMANDS
from warehouse.load import load_batch

R1 = "20261122T043000Z-aaaaaa"


def build_app() -> typer.Typer:
    """What flows/cli.py does with COMMANDS."""
    app = typer.Typer(no_args_is_help=True, add_completion=False)
    for name, function in COMMANDS:
        app.command(name)(function)
    return app


APP = build_app()


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSARCHIVE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    rows = [
        art("https://www.touleco.fr/technopole", "La technopole de Castres-Mazamet accueille trois start-up.",
            title="Castres-Mazamet : la technopole grandit"),
        art("https://www.touleco.fr/periscope", "Le Périscope ouvre à Ramonville.", title="Le Périscope"),
    ]  # fmt: skip
    load_batch(tmp_path / "home" / "archive.duckdb", make_batch(tmp_path / "staging", R1, rows))
    return tmp_path / "home"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(APP, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_every_command_and_option_has_help() -> None:
    group = get_command(APP)
    assert isinstance(group, typer.core.TyperGroup)
    assert sorted(group.commands) == ["export", "report", "search", "sql"]
    for name, command in group.commands.items():
        assert command.help, name
        for param in command.params:
            if param.name == "help":
                continue
            text = getattr(param, "help", None) if not isinstance(param, Argument) else param.help  # type: ignore[attr-defined]
            assert text, f"{name} {param.name} has no help"
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage" in out


def test_sql_table_csv_json(home: Path) -> None:
    code, out, err = run("sql", "SELECT title FROM articles ORDER BY title")
    assert code == 0 and "Le Périscope" in out and "2 row(s)" in err
    code, out, _ = run("sql", "SELECT title, version FROM articles ORDER BY title", "--format", "csv")
    assert out.splitlines() == ["title,version", "Castres-Mazamet : la technopole grandit,1", "Le Périscope,1"]
    code, out, _ = run("sql", "SELECT title, authors FROM articles ORDER BY title", "-f", "json")
    assert json.loads(out)[1] == {"title": "Le Périscope", "authors": ["Aurélie de Varax"]}


def test_sql_parquet_needs_output_and_keeps_types(home: Path, tmp_path: Path) -> None:
    code, _, err = run("sql", "SELECT 1", "--format", "parquet")
    assert code == 1 and "--output" in err
    target = tmp_path / "out.parquet"
    code, _, err = run("sql", "SELECT title, authors, published_at FROM articles", "-f", "parquet", "-o", str(target))
    assert code == 0 and "2 row(s) written" in err
    table = pq.read_table(target)
    assert table.num_rows == 2 and str(table.schema.field("authors").type) == "list<element: string>"


def test_sql_refuses_writes_in_one_line(home: Path) -> None:
    code, out, err = run("sql", "DROP TABLE articles")
    assert code == 1 and out == ""
    assert err.startswith("error: refused: DROP") and "Traceback" not in err


def test_sql_prompt_reads_statements_until_quit(home: Path) -> None:
    session = "SELECT count(*) AS n\n  FROM articles;\nDELETE FROM articles;\nSELECT 'après' AS x;\n.quit\nSELECT 3;\n"
    code, out, err = run("sql", input=session)
    assert code == 0
    assert "après" in out and "│ 2 │" in out and "3" not in out.split("après")[1]
    assert "refused: DELETE" in err


def test_sql_waits_for_a_load_and_says_so_once(home: Path) -> None:
    with hold_archive(home / "archive.duckdb", 1.5):
        code, out, err = run("sql", "SELECT count(*) AS n FROM articles", "-f", "csv")
    assert code == 0 and out.splitlines() == ["n", "2"]
    assert err.count("waiting up to") == 1 and "lock" not in err.lower()


def test_sql_gives_up_after_wait_with_one_sentence(home: Path) -> None:
    with hold_archive(home / "archive.duckdb", 2.0):
        code, _, err = run("sql", "SELECT 1", "--wait", "0.3")
    assert code == 1 and "is locked by another process" in err and "Traceback" not in err


def test_sql_on_missing_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSARCHIVE_HOME", str(tmp_path / "empty"))
    code, _, err = run("sql", "SELECT 1")
    assert code == 1 and "no archive" in err


def test_search(home: Path) -> None:
    code, out, err = run("search", "technopoles", "--limit", "5")
    assert code == 0 and "Castres-Mazamet : la technopole grandit" in out and "ToulÉco" in out
    assert "1 result(s)" in err
    code, out, _ = run("search", "ramonville", "-f", "json")
    (hit,) = json.loads(out)
    assert hit["title"] == "Le Périscope" and "**Ramonville**" in hit["snippet"]
    code, out, _ = run("search", "ramonville", "--since", "2020-01-01", "-f", "json")
    assert json.loads(out) == []
    code, out, _ = run("search", "ramonville", "--until", "2016-03-10", "-f", "json")
    assert len(json.loads(out)) == 1


def test_export_and_report(home: Path, tmp_path: Path) -> None:
    code, out, _ = run("export", str(tmp_path / "parquet"))
    assert code == 0 and "2 articles exported" in out
    assert (tmp_path / "parquet" / "month=2016-03").is_dir()
    code, out, _ = run("export", str(tmp_path / "a.jsonl"), "--format", "jsonl", "--source", "toulouse-eco")
    assert code == 0 and len((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    code, _, err = run("export", str(tmp_path / "a.jsonl"), "--format", "jsonl")
    assert code == 1 and "already exists" in err
    code, out, _ = run("report", str(tmp_path / "report"))
    assert code == 0 and (tmp_path / "report" / "index.html").is_file()
    assert len(list((tmp_path / "report").glob("*.png"))) == 3
