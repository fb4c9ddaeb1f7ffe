"""Pydantic models of every artifact (the single source of the JSON schemas)."""
