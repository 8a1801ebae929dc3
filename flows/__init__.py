"""Orchestration and the command line: Prefect flows over crawl → extract → load, and ``pressarchive``.

Owns: the archive flow and its tasks, progress reporting, the CLI.
May import: crawlers, pipeline, warehouse and third-party libraries. Business
logic lives in those packages; flows only compose it.
"""
