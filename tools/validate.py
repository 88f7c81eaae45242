"""Run Rasa's own data validation, with every warning treated as an error.

One exception, checked rather than ignored: Rasa warns that a response "is not
used in any story or rule" when only a custom action sends it. Such a warning is
dropped only if the response is named (`response="utter_..."`) in actions/*.py or, for
responses Rasa or a connector sends (bot/server/rasa_patches.py, bot/server/channels/), in bot/**/*.py;
otherwise it fails too.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Sent by Rasa's own action_default_fallback, never named in a rule.
RASA_DEFAULT_RESPONSES = {"utter_default"}
UNUSED_RESPONSE = re.compile(r"The utterance '(?P<name>utter_\w+)' is not used in any story or rule\.")


def responses_sent_by_actions(actions_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in actions_dir.glob("*.py"):
        names.update(re.findall(r"""response=["'](utter_\w+)["']""", path.read_text(encoding="utf-8")))
    return names


def validate(root: Path = ROOT) -> list[str]:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.utils.common import EXPECTED_WARNINGS  # the ones Rasa itself silences
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        valid = all(
            [
                validator.verify_domain_validity(),
                validator.verify_intents_in_stories(ignore_warnings=True),
                validator.verify_utterances_in_stories(ignore_warnings=True),
                validator.verify_story_structure(ignore_warnings=True),
                validator.verify_forms_in_stories_rules(),
                validator.verify_actions_in_stories_rules(),
                validator.verify_slot_mappings(),
            ]
        )
    sent_by_actions = responses_sent_by_actions(root / "actions") | RASA_DEFAULT_RESPONSES
    for package in [root / "bot", *(root / "bot").glob("*/")]:
        sent_by_actions |= responses_sent_by_actions(package)
    problems = []
    for warning in caught:
        message = str(warning.message)
        unused = UNUSED_RESPONSE.search(message)
        if unused and unused["name"] in sent_by_actions:
            continue
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
            continue
        if any(
            issubclass(warning.category, kind) and re.match(pattern, message) for kind, pattern in EXPECTED_WARNINGS
        ):
            continue
        problems.append(f"rasa data validate: {message}")
    if not valid and not problems:
        problems.append("rasa data validate: the training data is not valid (see the log above)")
    return problems


def main() -> int:
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # Rasa then hides its progress bars
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    problems = validate()
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("rasa data validate: clean.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
