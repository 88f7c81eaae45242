"""Print one line after training: intents, examples, therapies, time taken."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasa.shared.importers.importer import TrainingDataImporter

from bot.content.knowledge import load_knowledge


def summary(data_dir: Path, seconds: int) -> str:
    # the importer reads NLU files wherever editors put them under data/
    data = TrainingDataImporter.load_from_dict(
        domain_path="domain.yml", training_data_paths=[str(data_dir)]
    ).get_nlu_data()
    therapies = load_knowledge().therapies
    return (
        f"Trained: {len(data.intents - {'nlu_fallback'})} intents, {len(data.intent_examples)} examples, "
        f"{len(therapies)} therapies, {len(data.entity_synonyms)} therapy names, in {seconds} s."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--data", type=Path, default=Path("data"))
    args = parser.parse_args()
    print(summary(args.data, args.seconds))


if __name__ == "__main__":
    main()
