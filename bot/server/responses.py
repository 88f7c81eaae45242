"""The domain's responses for replies the connectors send themselves (empty message, too long, deleted …)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


@lru_cache(maxsize=1)
def _domain_file_responses() -> dict[str, Any]:
    import yaml

    with open(ROOT / "domain.yml", encoding="utf-8") as file:
        return (yaml.safe_load(file) or {}).get("responses") or {}


def response_text(response: str, domain: Any = None, **values: Any) -> str:
    """The first text of a domain response: from the model's domain, else from domain.yml.

    (A model trained before a response was added does not carry it yet.)
    """
    variants = (getattr(domain, "responses", None) or {}).get(response) or _domain_file_responses().get(response) or []
    text = next((v["text"] for v in variants if isinstance(v, dict) and v.get("text")), None)
    if text is None:
        raise KeyError(f"domain.yml has no response '{response}' with a text")
    return text.format(**values) if values else text
