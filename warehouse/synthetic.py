"""Synthetic staged batches of French regional-press articles, fast enough for a million.

Benchmarks and scale tests need archives of 200 000 to 1 000 000 articles that
behave like real ones: French words (so the French stemmer and stop words have
work to do), a vocabulary wide enough for BM25 to rank, outlets in several
departments, dates spread over two years, and the cases the load must handle
(a changed text at the same URL, a re-fetch through a tracking URL, a
syndicated copy at another outlet). Sentences are drawn from a pool built once
from a word bank, so the cost is a list join per article, not a loop per word.

The batches are written exactly as ``pipeline`` stages them (``pipeline.schema``,
``batch.json`` with sha256 and row counts), so ``load_batch`` cannot tell them
from a crawl's.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import ARTICLES, BATCH_FORMAT, FETCHES
from pipeline.storysig import signature

EPOCH = datetime(2025, 1, 1, 6, 0)
DAYS = 690  # published dates from EPOCH over about two years

# id, name, department, region, kind
OUTLETS: list[tuple[str, str, str, str, str]] = [
    ("ladepeche-31", "La Dépêche du Midi", "31", "Occitanie", "daily"),
    ("touleco", "ToulÉco", "31", "Occitanie", "magazine"),
    ("actu-toulouse", "Actu Toulouse", "31", "Occitanie", "daily"),
    ("tarn-libre", "Le Tarn Libre", "81", "Occitanie", "weekly"),
    ("castres-mazamet-technopole", "Castres-Mazamet Technopole", "81", "Occitanie", "institution"),
    ("journal-aveyron", "Le Journal de l'Aveyron", "12", "Occitanie", "weekly"),
    ("midi-libre-34", "Midi Libre", "34", "Occitanie", "daily"),
    ("gazette-montpellier", "La Gazette de Montpellier", "34", "Occitanie", "weekly"),
    ("objectif-gard", "Objectif Gard", "30", "Occitanie", "daily"),
    ("ales-agglo", "Alès Agglomération", "30", "Occitanie", "institution"),
    ("independant-66", "L'Indépendant", "66", "Occitanie", "daily"),
    ("petit-journal-32", "Le Petit Journal", "32", "Occitanie", "weekly"),
    ("nouvelle-republique-65", "La Nouvelle République des Pyrénées", "65", "Occitanie", "daily"),
    ("eco-du-lot", "L'Écho du Lot", "46", "Occitanie", "weekly"),
    ("blog-depute-81", "Le blog du député du Tarn", "81", "Occitanie", "blog"),
    ("sud-ouest-eco", "Sud-Ouest Éco", "33", "Nouvelle-Aquitaine", "magazine"),
]

_PLACES = [
    "Toulouse", "Castres", "Mazamet", "Albi", "Alès", "Nîmes", "Montpellier", "Rodez", "Ramonville", "Perpignan",
    "Tarbes", "Auch", "Cahors", "Millau", "Figeac", "Béziers", "Sète", "Lavaur", "Graulhet", "Carmaux", "Labège",
    "Blagnac", "Colomiers", "Muret", "Gaillac", "Uzès", "Lunel",
]  # fmt: skip
_SUBJECTS = [
    "la métropole", "le conseil départemental", "l'agglomération", "la technopole", "la région",
    "la chambre de commerce", "le maire", "la préfecture", "l'association", "le syndicat mixte",
    "la communauté de communes", "le directeur du programme", "la start-up", "le pôle de compétitivité",
    "l'université", "la coopérative", "le club d'entreprises", "la mutuelle", "l'office de tourisme",
]  # fmt: skip
_VERBS = [
    "annonce", "inaugure", "lance", "présente", "soutient", "accueille", "finance", "prépare",
    "dévoile", "engage", "confirme", "réclame", "organise", "étudie", "signe", "ouvre",
]  # fmt: skip
_OBJECTS = [
    "un nouveau projet", "une usine de batteries", "un parc d'activités", "la nouvelle ligne de bus",
    "le festival d'été", "un incubateur", "un plan de relance", "une zone artisanale", "le marché de plein vent",
    "la rénovation du centre-ville", "un tiers-lieu", "le programme Territoires d'industrie",
    "une piste cyclable", "la fibre optique", "un cluster de l'économie sociale et solidaire",
    "une maison de santé", "la réhabilitation des écoles", "une ferme photovoltaïque", "un salon de l'emploi",
    "la station d'épuration", "un laboratoire de recherche", "le contrat de ville", "une aide aux commerçants",
]  # fmt: skip
_COMPLEMENTS = [
    "pour les habitants", "dès le mois de mars", "à hauteur de deux millions d'euros", "avec ses partenaires",
    "malgré les inquiétudes des riverains", "selon le communiqué", "après deux ans de concertation",
    "d'ici la fin de l'année", "dans le cadre du budget participatif", "en présence des élus",
    "sous réserve de l'accord de l'État", "au grand dam de l'opposition", "avec le soutien de l'Europe",
    "pour créer une centaine d'emplois", "au cœur du quartier", "lors du conseil municipal",
]  # fmt: skip
_QUOTES = [
    "« C'est une étape importante pour le territoire », souligne l'élu.",
    "« Nous avons besoin de tous les acteurs », rappelle la présidente.",
    "Les travaux doivent commencer au printemps.",
    "Une réunion publique est prévue à la salle des fêtes.",
    "Le dossier sera examiné lors de la prochaine séance.",
    "Plusieurs entreprises locales ont déjà manifesté leur intérêt.",
    "Les associations de quartier restent prudentes.",
    "Le calendrier pourrait toutefois glisser de quelques mois.",
]
# Relative output by kind: a daily publishes several times what a weekly or an institution does.
_WEIGHT = {"daily": 6.0, "weekly": 2.0, "magazine": 1.5, "institution": 0.6, "blog": 0.3}
_SECTIONS = ["actualite", "economie", "politique", "societe", "culture", "sport", "environnement"]
_AUTHORS = [
    "Aurélie de Varax", "Jean Dupont", "Marie Carrère", "Rédaction", "Paul Fabre", "Sophie Vidal",
    "Julien Cazals", "Claire Bonnet", "AFP",
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticSpec:
    """How many articles, in how many batches, and how often the tricky cases occur."""

    articles: int
    batches: int = 1
    seed: int = 0
    version_rate: float = 0.03  # share of articles re-fetched later with a changed text
    refetch_rate: float = 0.05  # share re-fetched through a tracking URL, same text
    syndication_rate: float = 0.02  # share copied word for word by another outlet (a new article)


def source_entries() -> list[dict[str, Any]]:
    """The synthetic outlets as registry entries (what ``run.sources`` of a batch holds)."""
    return [
        {
            "id": sid,
            "name": name,
            "homepage": f"https://www.{sid}.example.fr/",
            "region": region,
            "department": dept,
            "kind": kind,
            "language": "fr",
            "feeds": [f"https://www.{sid}.example.fr/rss"],
            "sitemaps": [],
            "sections": [],
            "article_pattern": None,
            "allowed_domains": [f"www.{sid}.example.fr"],
            "delay": 1.0,
        }
        for sid, name, dept, region, kind in OUTLETS
    ]


def _sentence_pool(rng: random.Random, size: int = 4000) -> list[str]:
    pool = []
    for _ in range(size):
        subject = rng.choice(_SUBJECTS)
        place = rng.choice(_PLACES)
        sentence = f"À {place}, {subject} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_COMPLEMENTS)}."
        pool.append(sentence[0].upper() + sentence[1:])
    return pool + _QUOTES * (size // 40)


def _hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def generate(staging: str | Path, spec: SyntheticSpec) -> list[Path]:
    """Write ``spec.batches`` batches under ``staging`` holding ``spec.articles`` articles; return their folders."""
    rng = random.Random(spec.seed)
    pool = _sentence_pool(rng)
    per_batch = -(-spec.articles // spec.batches)
    folders = []
    for index in range(spec.batches):
        first = index * per_batch
        count = min(per_batch, spec.articles - first)
        if count <= 0:
            break
        folders.append(_write_one(Path(staging), spec, index, first, count, rng, pool))
    return folders


def _write_one(
    staging: Path, spec: SyntheticSpec, index: int, first: int, count: int, rng: random.Random, pool: list[str]
) -> Path:
    fetched0 = datetime(2026, 11, 1, 4, 0, tzinfo=UTC) + timedelta(hours=index)
    run_id = f"{fetched0:%Y%m%dT%H%M%SZ}-synth{spec.seed:02d}{index:04d}"
    rows: dict[str, list[Any]] = {name: [] for name in ARTICLES.names}
    n_outlets = len(OUTLETS)

    def add(seq: int, sid: str, url: str, canonical: str, title: str, text: str, published: datetime) -> None:
        rows["fetch_id"].append(f"{run_id}-{seq:07d}")
        rows["url"].append(url)
        rows["canonical_url"].append(canonical)
        rows["source_id"].append(sid)
        rows["title"].append(title)
        rows["text"].append(text)
        rows["published_at"].append(published)
        rows["fetched_at"].append(fetched0 + timedelta(milliseconds=seq))
        rows["authors"].append([rng.choice(_AUTHORS)])
        rows["section"].append(rng.choice(_SECTIONS))
        rows["tags"].append([rng.choice(_PLACES).lower()])
        rows["word_count"].append(text.count(" ") + 1)
        rows["text_hash"].append(_hash(text))

    ids = [o[0] for o in OUTLETS]
    picks = rng.choices(ids, weights=[_WEIGHT[o[4]] for o in OUTLETS], k=count)
    seq = 0
    for number, sid in zip(range(first, first + count), picks, strict=True):
        place, subject = rng.choice(_PLACES), rng.choice(_SUBJECTS)
        title = f"{place} : {subject} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        title = title[0].upper() + title[1:]
        body = " ".join(rng.choices(pool, k=rng.randint(10, 24)))
        text = f"{title}. {body}"
        published = EPOCH + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(900))
        url = f"https://www.{sid}.example.fr/{published:%Y/%m/%d}/article-{number}"
        add(seq, sid, url, url, title, text, published)
        seq += 1
        roll = rng.random()
        if roll < spec.version_rate:
            add(seq, sid, url, url, title + " (mis à jour)", text + " Mise à jour : " + rng.choice(pool), published)
            seq += 1
        elif roll < spec.version_rate + spec.refetch_rate:
            add(seq, sid, url + "?utm_source=rss", url, title, text, published)
            seq += 1
        elif roll < spec.version_rate + spec.refetch_rate + spec.syndication_rate:
            other = OUTLETS[(number + 1 + rng.randrange(n_outlets - 1)) % n_outlets][0]
            copy = f"https://www.{other}.example.fr/{published:%Y/%m/%d}/depeche-{number}"
            add(seq, other, copy, copy, title, text, published + timedelta(hours=2))
            seq += 1
    n = len(rows["fetch_id"])
    rows["shingles"], rows["story_bands"] = _signatures(rows["text"])
    rows["run_id"] = [run_id] * n
    for name, value in (("language", "fr"), ("extractor", "synthetic"), ("description", None)):
        rows[name] = [value] * n
    for name in ARTICLES.names:  # modified_at, image, and any column pipeline.schema gains later: null
        if len(rows[name]) != n:
            rows[name] = [None] * n
    articles = pa.Table.from_pydict(rows, schema=ARTICLES)
    fetches = _fetches_for(articles)
    return write_batch(staging / run_id, run_id, fetches, articles, started=fetched0, sources=source_entries())


def _sign_chunk(texts: list[str]) -> list[tuple[int, list[int] | None]]:
    return [signature(text) for text in texts]


def _signatures(texts: list[str]) -> tuple[list[int], list[list[int] | None]]:
    """Story signatures as the extract stage stages them; on every core for a large batch (~0.4 ms a text)."""
    if len(texts) < 5000:
        signed = _sign_chunk(texts)
    else:
        step = 2000
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            chunks = pool.map(_sign_chunk, [texts[i : i + step] for i in range(0, len(texts), step)])
            signed = [item for chunk in chunks for item in chunk]
    return [count for count, _ in signed], [bands for _, bands in signed]


def _fetches_for(articles: pa.Table) -> pa.Table:
    """One archived 200 response per article row, as the crawler's fetch log has it."""
    n = articles.num_rows
    columns: dict[str, Any] = {name: pa.nulls(n, FETCHES.field(name).type) for name in FETCHES.names}
    for name in ("fetch_id", "run_id", "source_id", "url", "fetched_at"):
        columns[name] = articles.column(name)
    columns.update(
        final_url=articles.column("url"),
        status=pa.array([200] * n, pa.int32()),
        content_type=pa.array(["text/html"] * n),
        content_length=pa.array([40_000] * n, pa.int64()),
        discovered_via=pa.array(["sitemap"] * n),
        role=pa.array(["article"] * n),
        extract_status=pa.array(["article"] * n),
    )
    return pa.Table.from_pydict(columns, schema=FETCHES)


def write_batch(
    folder: Path,
    run_id: str,
    fetches: pa.Table,
    articles: pa.Table,
    *,
    started: datetime,
    sources: list[dict[str, Any]],
) -> Path:
    """The two Parquet files, then ``batch.json`` last, as extract does (a batch without it is incomplete)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, table in (("fetches.parquet", fetches), ("articles.parquet", articles)):
        pq.write_table(table, folder / name)
        files[name] = {"sha256": _sha256(folder / name), "rows": table.num_rows}
    run = {
        "run_id": run_id,
        "flow_run_id": None,
        "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=30)).isoformat(),
        "status": "completed",
        "sources": sources,
        "stats": {},
        "error": None,
    }
    manifest = {"format": BATCH_FORMAT, "run_id": run_id, "created_at": started.isoformat(), "run": run}
    manifest["files"] = files
    (folder / "batch.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
