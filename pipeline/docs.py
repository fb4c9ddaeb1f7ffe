"""Generated README tables (the registry is the truth; a test checks the README matches)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline import registry

ARTIFACT_MARKERS = ("<!-- artifacts:begin -->", "<!-- artifacts:end -->")
API_MARKERS = ("<!-- api:begin -->", "<!-- api:end -->")
#: The resolver's route table lives in docs/api.md (a test checks it against ``app.routes``).
API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


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


def api_table(doc: str) -> str:
    """The route table of docs/api.md (the lines from its header to the first blank line)."""
    lines = doc.splitlines()
    start = lines.index("| method | path | what |")
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def render_readme(text: str, api_doc: str | None = None) -> str:
    doc = API_DOC.read_text(encoding="utf-8") if api_doc is None else api_doc
    text = replace_block(text, ARTIFACT_MARKERS, artifact_table())
    return replace_block(text, API_MARKERS, api_table(doc))
