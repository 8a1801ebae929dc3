"""Orchestration and the command line: Prefect flows, deployments and ``pressarchive``.

Owns: the flows (archive = crawl → extract → load → report, backfill,
reextract, rebuild, export), their deployments, schedules and concurrency
limits, run artifacts, progress reporting, and the CLI commands.
May import: crawlers, pipeline, warehouse and third-party libraries. Business
logic lives in those packages; flows only compose it.
"""
