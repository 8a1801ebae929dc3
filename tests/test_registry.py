"""The sources registry: valid files load, invalid ones are refused with the file, source and field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.registry import DEFAULT_REGISTRY, RegistryError, dump_registry, load_registry, parse_registry, select

GOOD = {
    "id": "gazette",
    "name": "La Gazette",
    "homepage": "http://127.0.0.1:8100/",
    "region": "Occitanie",
    "department": "81",
    "kind": "daily",
    "article_pattern": r"/\d{4}/\d{2}/",
}


def test_shipped_registry_is_valid_and_covers_every_region() -> None:
    sources = load_registry(DEFAULT_REGISTRY)
    assert len({s.id for s in sources}) == len(sources)
    assert len({s.region for s in sources}) == 13


def test_round_trip_through_toml(tmp_path: Path) -> None:
    sources = parse_registry({"sources": [GOOD, {**GOOD, "id": "autre", "kind": "blog"}]})
    path = tmp_path / "sources.toml"
    path.write_text(dump_registry(sources), encoding="utf-8")
    assert load_registry(path) == sources
    assert sources[0].allowed_domains == ["127.0.0.1:8100"]


def test_errors_name_file_source_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[sources]]\nid = "gazette"\nname = "G"\nhomepage = "ftp://x"\nregion = "O"\n'
        'department = "81"\nkind = "tabloid"\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message
    for field in ("'homepage'", "'kind'", "'colour'"):
        assert f"source 'gazette', field {field}" in message


def test_duplicate_ids_bad_regex_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="duplicate id"):
        parse_registry({"sources": [GOOD, GOOD]})
    with pytest.raises(RegistryError, match="article_pattern"):
        parse_registry({"sources": [{**GOOD, "article_pattern": "(unclosed"}]})
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[sources]\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(broken)


def test_select_refuses_unknown_ids() -> None:
    sources = parse_registry({"sources": [GOOD]})
    assert select(sources, None) == sources
    assert select(sources, ["gazette"]) == sources
    with pytest.raises(RegistryError, match="unknown source id"):
        select(sources, ["gazette", "nowhere"])


def test_allows_and_article_pattern() -> None:
    (source,) = parse_registry({"sources": [GOOD]})
    assert source.allows("http://127.0.0.1:8100/2016/03/x.html")
    assert not source.allows("http://127.0.0.1:8101/2016/03/x.html")
    assert source.is_article_url("http://127.0.0.1:8100/2016/03/x.html")
    assert not source.is_article_url("http://127.0.0.1:8100/economie/")
    (wide,) = parse_registry({"sources": [{**GOOD, "allowed_domains": ["ladepeche.fr"]}]})
    assert wide.allows("https://www.ladepeche.fr/a") and not wide.allows("https://evil-ladepeche.fr/")


def test_shipped_registry_has_forty_outlets_of_every_kind_of_newsroom() -> None:
    from crawlers.probe import METROPOLITAN_REGIONS, check_registry

    checked = check_registry(DEFAULT_REGISTRY)
    assert len(checked.sources) >= 40 and not checked.missing_regions
    assert set(checked.regions) == set(METROPOLITAN_REGIONS)
    assert {"daily", "weekly", "magazine", "institution"} <= set(checked.kinds)
    assert all(s.homepage.startswith("https://") for s in checked.sources)


def test_probe_the_sandbox_registry_only(tmp_path: Path) -> None:
    """Probing asks the listed feeds and sitemaps, or the homepage and robots.txt when none is listed."""
    from crawlers.probe import probe_sources
    from crawlers.sandbox import Sandbox

    with Sandbox(seed=7) as web:
        sources = load_registry(web.write_registry(tmp_path / "sources.toml"))
        bare = sources[1].model_copy(update={"feeds": [], "sitemaps": []})
        results = probe_sources([sources[0], bare], timeout=5)
        asked = {r["path"] for r in web.requests}
    by_kind = {(r.source_id, r.kind): r for r in results}
    assert by_kind[(sources[0].id, "feed")].status == 200 and by_kind[(sources[0].id, "feed")].links >= 15
    assert by_kind[(sources[0].id, "sitemap")].links == 2  # an index of two sitemaps
    assert by_kind[(bare.id, "home")].links == 1 and by_kind[(bare.id, "robots")].links == 1
    assert "/robots.txt" in asked


def test_sources_check_command(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from flows.cli_sources import COMMANDS

    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as in flows/cli.py, even with one command
    for name, function in COMMANDS:
        app.command(name)(function)
    result = CliRunner().invoke(app, ["sources", "check"])
    assert result.exit_code == 0, result.output
    assert "registry OK" in result.output and "13 regions" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nid = "x"\nname = "X"\nhomepage = "nope"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "check", "--registry", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output and "field 'homepage'" in result.output
