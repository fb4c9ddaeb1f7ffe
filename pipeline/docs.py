"""Generated README tables (the registry is the truth; a test checks the README matches)."""

from __future__ import annotations

import re

from pipeline import registry

ARTIFACT_MARKERS = ("<!-- artifacts:begin -->", "<!-- artifacts:end -->")


def artifact_table() -> str:
    rows = [
        "| artifact | path | owner | kind | schema | stage | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in registry.ARTIFACTS:
        schema = f"`{a.schema_file}`" if a.model is not None else "(parquet/CSV schema in code)"
        rows.append(
            f"| `{a.name}` | `{a.path}` | {a.owner.value} | {a.kind.value} | {schema} | "
            f"`{a.stage}` | {a.description} |"
        )
    return "\n".join(rows)


def replace_block(text: str, markers: tuple[str, str], body: str) -> str:
    begin, end = markers
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"markers {begin} … {end} not found")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text)


def render_readme(text: str) -> str:
    return replace_block(text, ARTIFACT_MARKERS, artifact_table())
