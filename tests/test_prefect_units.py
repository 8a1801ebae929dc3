"""Deployments, schedules, the discovery filter and prefect.yaml, without a Prefect server."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy import Request
from typer.testing import CliRunner

from crawlers.discoveryfilter import DiscoveryFilter, crawl_settings
from flows.deployments import SPECS, build_deployments, load_flow
from flows.schedules import DEFAULT_REGISTRY, registry_path, schedule_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "PRESSARCHIVE_REGISTRY",
        "PRESSARCHIVE_TIMEZONE",
        "PRESSARCHIVE_ARCHIVE_CRON",
        "PRESSARCHIVE_EXPORT_CRON",
        "PRESSARCHIVE_BACKFILL_CRON",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_schedules_come_from_env_then_registry_then_defaults(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text('[schedules]\narchive = "*/20 * * * *"\nexport = "off"\ntimezone = "UTC"\n')
    assert schedule_for("archive").cron == "0 * * * *"
    assert schedule_for("archive").timezone == "Europe/Paris"
    assert schedule_for("backfill").cron is None
    spec = schedule_for("archive", registry)
    assert (spec.cron, spec.timezone) == ("*/20 * * * *", "UTC") and "[schedules]" in spec.origin
    assert schedule_for("export", registry).cron is None
    clean_env.setenv("PRESSARCHIVE_ARCHIVE_CRON", "5 6 * * 1-5")
    clean_env.setenv("PRESSARCHIVE_TIMEZONE", "Europe/Paris")
    spec = schedule_for("archive", registry)
    assert (spec.cron, spec.timezone, spec.origin) == ("5 6 * * 1-5", "Europe/Paris", "$PRESSARCHIVE_ARCHIVE_CRON")
    clean_env.setenv("PRESSARCHIVE_REGISTRY", str(registry))
    assert registry_path() == registry and schedule_for("export").cron is None
    clean_env.delenv("PRESSARCHIVE_REGISTRY")
    assert registry_path() == DEFAULT_REGISTRY


def test_deployments_are_typed_described_scheduled_and_limited(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("PRESSARCHIVE_EXPORT_CRON", "off")
    missing: list[str] = []
    deployments = {d.name: d for d in build_deployments(tmp_path / "r.toml", on_missing=missing.append)}
    assert {"archive", "backfill", "export"} <= set(deployments)
    assert set(deployments) | set(missing) == {s.name for s in SPECS}
    archive = deployments["archive"]
    (schedule,) = archive.schedules
    assert schedule.schedule.cron == "0 * * * *" and schedule.schedule.timezone == "Europe/Paris"
    assert archive.concurrency_limit == 1 and archive.parameters["discovery"] == ["feed", "section", "home"]
    assert archive.parameters["registry"] == str(tmp_path / "r.toml")
    assert not deployments["export"].schedules and not deployments["backfill"].schedules
    for deployment in deployments.values():
        properties = deployment._parameter_openapi_schema.properties
        assert all(p.get("description") for p in properties.values()), deployment.name
    backfill = deployments["backfill"]._parameter_openapi_schema.properties
    assert {"format": "date", "type": "string"} in backfill["since"]["anyOf"]
    archive_props = archive._parameter_openapi_schema.properties
    assert archive_props["max_pages"]["type"] == "integer"
    assert archive_props["sources"]["anyOf"][0] == {"items": {"type": "string"}, "type": "array"}


def test_prefect_yaml_declares_the_same_flows_for_a_work_pool() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    declared = {d["name"]: d for d in config["deployments"]}
    specs = {s.name: s for s in SPECS if load_flow(s.flow) is not None}
    assert set(declared) == set(specs)
    for name, deployment in declared.items():
        path, attribute = deployment["entrypoint"].split(":")
        module = path.removesuffix(".py").replace("/", ".")
        assert f"{module}:{attribute}" == specs[name].flow
        assert (ROOT / path).is_file()
        assert deployment["work_pool"]["name"] == "pressarchive"
    assert declared["archive"]["schedules"][0] == {"cron": "0 * * * *", "timezone": "Europe/Paris"}


def _request(role: str, via: str, listed_at: str | None = None, origin: str | None = None) -> Request:
    meta = {"role": role, "discovered_via": via, "listed_at": listed_at, "discovered_from": origin}
    return Request("http://127.0.0.1/x", meta={"pressarchive": meta})


def test_discovery_filter_keeps_paths_and_dates() -> None:
    class Crawler:
        stats = None

    only_sitemaps = DiscoveryFilter(["sitemap"], date(2016, 1, 1), date(2016, 6, 30), Crawler())  # type: ignore[arg-type]
    assert only_sitemaps.keep(_request("sitemap", "sitemap"))
    assert not only_sitemaps.keep(_request("feed", "feed"))
    assert not only_sitemaps.keep(_request("home", "home"))
    assert only_sitemaps.keep(_request("sitemap", "sitemap", "2010-01-01", origin="http://127.0.0.1/sitemap.xml"))
    assert only_sitemaps.keep(_request("article", "sitemap", "2016-03-10T18:52:00+01:00", "s"))
    assert not only_sitemaps.keep(_request("article", "sitemap", "2015-12-31", "s"))
    assert not only_sitemaps.keep(_request("article", "sitemap", "2016-07-01T00:00:00Z", "s"))
    assert only_sitemaps.keep(_request("article", "sitemap", None, "s")), "an undated URL is kept"
    hourly = DiscoveryFilter(["feed", "section", "home"], None, None, Crawler())  # type: ignore[arg-type]
    assert hourly.keep(_request("feed", "feed")) and hourly.keep(_request("section", "section"))
    assert not hourly.keep(_request("sitemap", "sitemap"))
    assert hourly.keep(_request("article", "feed", "2001-01-01", "f"))
    with pytest.raises(ValueError, match="unknown discovery"):
        DiscoveryFilter(["rss"], None, None, Crawler())  # type: ignore[arg-type]


def test_crawl_settings_switch_the_filter_on_only_when_needed() -> None:
    assert crawl_settings(None) == {} and crawl_settings(["feed", "section", "home", "sitemap"]) == {}
    settings: dict[str, Any] = crawl_settings(["sitemap"], date(2016, 1, 1), None)
    assert settings["PRESSARCHIVE_DISCOVERY"] == ["sitemap"]
    assert settings["PRESSARCHIVE_SITEMAP_SINCE"] == "2016-01-01" and settings["PRESSARCHIVE_SITEMAP_UNTIL"] is None
    assert "crawlers.discoveryfilter.DiscoveryFilter" in settings["SPIDER_MIDDLEWARES"]
    assert "crawlers.warcarchive.WarcArchiveMiddleware" not in settings["SPIDER_MIDDLEWARES"]


def test_serve_without_a_server_says_so_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    from flows.cli_serve import COMMANDS

    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as on the pressarchive app: `serve` is a subcommand
    for name, function in COMMANDS:
        app.command(name)(function)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "PREFECT_API_URL is not set" in result.output and "Traceback" not in result.output


def test_run_report_counts_each_page_as_the_load_does(tmp_path: Path) -> None:
    """Per-source counts read back from the archive add up to the load's own counts, run after run."""
    from batchfactory import art, make_batch

    from flows.artifacts import run_report, summary_markdown
    from warehouse.load import load_batch

    db, staging = tmp_path / "archive.duckdb", tmp_path / "staging"
    a, b, c = "https://eco.example/a.html", "https://eco.example/b.html", "https://eco.example/c.html"
    runs = {
        "R1": [art(a, "un"), art(b, "deux"), art("https://blog.example/x", "trois", source_id="blog")],
        # a: new version; b: unchanged re-fetch; c: the text of b at a new URL (rule 2); d: new
        "R2": [
            art(a, "un modifié", minutes=60),
            art(b, "deux", minutes=60),
            art(c, "deux", minutes=61),
            art("https://eco.example/d.html", "quatre", minutes=62),
        ],
    }
    for run_id, rows in runs.items():
        batch = make_batch(staging, run_id, rows)
        loaded = load_batch(db, batch)
        report = run_report(db, run_id, batch)
        total = report.totals()
        assert (total.new_articles, total.new_versions, total.duplicates, total.unchanged) == (
            loaded.new_articles,
            loaded.new_versions,
            loaded.duplicates,
            loaded.unchanged,
        ), run_id
        assert total.pages_fetched == loaded.fetches
    by_source = {s.source_id: s for s in report.sources}
    assert set(by_source) == {"toulouse-eco"}
    assert (by_source["toulouse-eco"].new_articles, by_source["toulouse-eco"].new_versions) == (1, 1)
    assert (by_source["toulouse-eco"].duplicates, by_source["toulouse-eco"].unchanged) == (1, 1)
    text = summary_markdown(report, tmp_path)
    assert "| new versions | 1 |" in text and str(db) in text and "R2" in text
