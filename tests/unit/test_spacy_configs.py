"""The German spaCy pipelines behind the two configs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import yaml

ROOT = Path(__file__).resolve().parents[2]


def spacy_model(config: str) -> str:
    pipeline = yaml.safe_load((ROOT / config).read_text(encoding="utf-8"))["pipeline"]
    return next(step["model"] for step in pipeline if step["name"] == "SpacyNLP")


def test_built_pipeline_lemmatizes_the_way_patients_write(tmp_path: Path) -> None:
    from tools.spacy_pipeline import build

    nlp = build(tmp_path / "de")
    lemmas = {t.text: t.lemma_ for t in spacy.load(tmp_path / "de")("Hilft eine massagen wer zahlt Nadeln")}
    assert nlp.lang == "de"
    assert lemmas["Hilft"] == "helfen"  # capitalised at the start of a sentence
    assert lemmas["massagen"] == "Massage"  # lower-case noun, as in messengers
    assert lemmas["zahlt"] == "zahlen" and lemmas["Nadeln"] == "Nadel"


def test_default_config_uses_the_built_pipeline() -> None:
    assert spacy_model("config.yml") == "build/spacy/rueckenbot_de"


def test_the_de_core_news_sm_config_differs_only_in_the_spacy_model() -> None:
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    theirs = yaml.safe_load((ROOT / "config-de_core_news_sm.yml").read_text(encoding="utf-8"))
    for step in theirs["pipeline"]:
        if step["name"] == "SpacyNLP":
            step["model"] = spacy_model("config.yml")
    assert theirs == ours


@pytest.mark.de_core_news_sm
def test_de_core_news_sm_config_trains_and_parses(tmp_path: Path) -> None:
    """Only on hosts with de_core_news_sm (`make test-de-core-news-sm`); not part of `make test`."""
    assert spacy.util.is_package("de_core_news_sm"), "pip install de_core_news_sm first (see README)"
    assert spacy_model("config-de_core_news_sm.yml") == "de_core_news_sm"
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run(
        [rasa, "train", "nlu", "--config", "config-de_core_news_sm.yml", "--out", str(tmp_path), "--quiet"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    assert list(tmp_path.glob("*.tar.gz"))
