"""Spiders: one generic spider per discovery strategy, configured by the sources registry."""
