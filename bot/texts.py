"""The interface texts (interface_texts.yml at the project's root), for both servers.

`texts().get("answer.source_line", publisher=…)` returns the text with its placeholders
filled in. A missing text raises KeyError at start-up (the servers read every text they
use once, see `require`), never in the middle of a conversation.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

DEFAULT_TEXTS_FILE = Path(__file__).resolve().parent.parent / "interface_texts.yml"


class Texts:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def raw(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"interface_texts.yml has no text '{key}'")
            node = node[part]
        return node

    def get(self, key: str, **values: Any) -> str:
        text = self.raw(key)
        if not isinstance(text, str):
            raise KeyError(f"interface_texts.yml: '{key}' is not a text")
        return text.format(**values) if values else text

    def section(self, key: str) -> dict[str, str]:
        node = self.raw(key)
        return {str(k): str(v) for k, v in node.items()} if isinstance(node, dict) else {}

    def require(self, *keys: str) -> None:
        for key in keys:
            self.raw(key)


def load_texts(path: Path | str = DEFAULT_TEXTS_FILE) -> Texts:
    with Path(path).open(encoding="utf-8") as handle:
        return Texts(YAML(typ="safe").load(handle) or {})


@lru_cache(maxsize=1)
def texts() -> Texts:
    """The interface texts, read once per process."""
    return load_texts(os.environ.get("RUECKENBOT_TEXTS_FILE", DEFAULT_TEXTS_FILE))
