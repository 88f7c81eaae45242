"""Rasa's own checks of the training data (`rasa data validate`), in German, with file and line.

Part of `make check` (tools/check.py runs it as the stage "Rasa-Prüfung"); on its own:
`python -m tools.validate`. What it runs, in Rasa 3.6's words:

- loading domain.yml, config.yml and data/ (Rasa's schema of each file);
- `verify_domain_validity`, `verify_intents` (every intent has examples and is in the domain),
  `verify_example_repetition_in_intents` (one example under two intents),
  `verify_intents_in_stories`, `verify_utterances_in_stories`, `verify_forms_in_stories_rules`,
  `verify_actions_in_stories_rules`, `verify_slot_mappings`;
- `verify_story_structure` (two stories that go on differently after the same turns);
- the RulePolicy's check for contradicting rules, which Rasa otherwise runs only while training
  (`rasa train`); it takes well under a second, so it runs here too.

Every Rasa message is translated into one line `Datei:Zeile: was falsch ist. So beheben Sie es: …`;
the file and line are looked up where Rasa does not name them (an intent in domain.yml, an example
in data/, a rule by its name). A message this module does not know is passed on with Rasa's English
words in „…“ and a German frame, so nothing is lost.

Left out, because tools/check.py already reports them at the line of each step: intents and
actions used in rules or stories but missing from domain.yml. Two kinds of Rasa warnings are
dropped on purpose, each checked rather than ignored:

- "The utterance 'utter_x' is not used in any story or rule": dropped when the response is sent by
  code (its name, in quotes, in actions/**/*.py or bot/**/*.py: the action server and the channels
  send these, e.g. `utter_intro`, `utter_empty_message`); Rasa's own `utter_default` too.
- "The intent 'x' is listed in the domain file, but is not found in the NLU training data": dropped
  when only a button sends the intent (its payload "/x" in domain.yml, bot/, actions/ or web/src/),
  as for the "Hilfreich?" buttons (`/feedback`).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

ROOT = Path(__file__).resolve().parent.parent
RASA_DEFAULT_RESPONSES = {"utter_default"}
# `[text](entity)`, `[text](entity:value)`, `[text]{"entity": …}`: the plain text Rasa compares
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _problem(where: str, what: str, fix: str) -> str:
    return f"{where}: {what}. So beheben Sie es: {fix}"


# -- finding where Rasa's findings are -------------------------------------------------
@dataclass
class Locator:
    """Lines of intents, responses, examples, rules and stories in the project's files."""

    root: Path
    _documents: dict[Path, Any] = field(default_factory=dict)

    def document(self, path: Path) -> Any:
        if path not in self._documents:
            try:
                self._documents[path] = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
            except Exception:  # broken files are reported by the YAML stage
                self._documents[path] = None
        return self._documents[path]

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def data_files(self) -> list[Path]:
        return sorted((self.root / "data").rglob("*.yml"))

    def domain_intent(self, intent: str) -> str:
        domain = self.document(self.root / "domain.yml")
        intents = domain.get("intents") if isinstance(domain, CommentedMap) else None
        if isinstance(intents, CommentedSeq):
            for index, item in enumerate(intents):
                name = next(iter(item)) if isinstance(item, CommentedMap) else item
                if str(name) == intent:
                    return f"domain.yml:{intents.lc.item(index)[0] + 1}"
        return self.domain_key("intents")

    def domain_key(self, key: str) -> str:
        domain = self.document(self.root / "domain.yml")
        if isinstance(domain, CommentedMap) and key in domain:
            return f"domain.yml:{domain.lc.key(key)[0] + 1}"
        return "domain.yml:1"

    def response(self, name: str) -> str:
        domain = self.document(self.root / "domain.yml")
        responses = domain.get("responses") if isinstance(domain, CommentedMap) else None
        if isinstance(responses, CommentedMap) and name in responses:
            return f"domain.yml:{responses.lc.key(name)[0] + 1}"
        return self.domain_key("responses")

    def nlu_blocks(self) -> Iterator[tuple[Path, CommentedMap]]:
        for path in self.data_files():
            document = self.document(path)
            blocks = document.get("nlu") if isinstance(document, CommentedMap) else None
            for block in blocks if isinstance(blocks, CommentedSeq) else ():
                if isinstance(block, CommentedMap):
                    yield path, block

    def intent_block(self, intent: str) -> str:
        for path, block in self.nlu_blocks():
            if str(block.get("intent")) == intent:
                return f"{self.rel(path)}:{block.lc.line + 1}"
        return "data/:1"

    def example(self, text: str) -> list[tuple[str, str]]:
        """(intent, Datei:Zeile) of every example whose plain text is `text`."""
        found = []
        for path, block in self.nlu_blocks():
            if "intent" not in block or not isinstance(block.get("examples"), str):
                continue
            first = block.lc.value("examples")[0] + 2
            for offset, line in enumerate(block["examples"].splitlines()):
                stripped = line.strip()
                if stripped.startswith("- ") and plain(stripped[2:]) == text:
                    found.append((str(block["intent"]), f"{self.rel(path)}:{first + offset}"))
        return found

    def flow_actions(self, name: str) -> list[str]:
        """The actions of the rule or story called `name`, in order."""
        for path in self.data_files():
            document = self.document(path)
            for key in ("rules", "stories"):
                flows = document.get(key) if isinstance(document, CommentedMap) else None
                for flow in flows if isinstance(flows, CommentedSeq) else ():
                    if isinstance(flow, CommentedMap) and str(flow.get("rule", flow.get("story"))) == name:
                        steps = flow.get("steps") or []
                        return [str(s["action"]) for s in steps if isinstance(s, CommentedMap) and "action" in s]
        return []

    def flow(self, name: str) -> str:
        """Where the rule or story called `name` starts."""
        for path in self.data_files():
            document = self.document(path)
            for key in ("rules", "stories"):
                flows = document.get(key) if isinstance(document, CommentedMap) else None
                for index, flow in enumerate(flows if isinstance(flows, CommentedSeq) else ()):
                    if isinstance(flow, CommentedMap) and str(flow.get("rule", flow.get("story"))) == name:
                        return f"{self.rel(path)}:{flows.lc.item(index)[0] + 1}"
        return "data/rules.yml:1"


def plain(example: str) -> str:
    """An example as Rasa compares it: annotations replaced by their text."""
    return ANNOTATION.sub(lambda m: m["text"], example).strip()


def names_in_code(root: Path, pattern: str, folders: tuple[str, ...], suffixes: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for folder in folders:
        base = root / folder
        for path in base.rglob("*") if base.is_dir() else ():
            if path.suffix in suffixes and "node_modules" not in path.parts and "dist" not in path.parts:
                names.update(re.findall(pattern, path.read_text(encoding="utf-8", errors="replace")))
    return names


def responses_sent_by_code(root: Path) -> set[str]:
    """Responses named in quotes in the action server or the Rasa server's code."""
    return names_in_code(root, r"""["'](utter_\w+)["']""", ("actions", "bot"), (".py",)) | RASA_DEFAULT_RESPONSES


def intents_sent_by_buttons(root: Path) -> set[str]:
    """Intents a button sends as payload ("/feedback{…}"), which need no example sentences."""
    found = names_in_code(root, r"""["']/(\w+)""", ("actions", "bot", "web/src"), (".py", ".js"))
    domain = root / "domain.yml"
    if domain.is_file():
        found |= set(re.findall(r"payload:\s*[\"']?/(\w+)", domain.read_text(encoding="utf-8")))
    return found


# -- translating Rasa's messages -----------------------------------------------------------
@dataclass
class Translator:
    root: Path
    locator: Locator
    sent_by_code: set[str]
    sent_by_buttons: set[str]

    def translate(self, message: str) -> list[str]:
        """German lines for one Rasa message (none if it is one we drop on purpose)."""
        m = re.search(r"The intent '(?P<i>[^']+)' is listed in the domain file, but is not found in the NLU", message)
        if m:
            if m["i"] in self.sent_by_buttons:
                return []
            return [
                _problem(
                    self.locator.domain_intent(m["i"]),
                    f"die Absicht '{m['i']}' steht in domain.yml, hat aber keine Beispielsätze in data/",
                    f"legen Sie in data/nlu.yml einen Block '- intent: {m['i']}' mit 'examples: |' an "
                    f"(mindestens 10 Beispiele), oder streichen Sie die Absicht aus domain.yml",
                )
            ]
        m = re.search(r"There is a message in the training data labeled with intent '(?P<i>[^']+)'", message)
        if m:
            return [
                _problem(
                    self.locator.intent_block(m["i"]),
                    f"die Absicht '{m['i']}' hat Beispielsätze, steht aber nicht in domain.yml unter 'intents:'",
                    f"ergänzen Sie '  - {m['i']}' unter 'intents:' in domain.yml oder korrigieren Sie den Namen hier",
                )
            ]
        m = re.search(r"The example '(?P<t>.*)' was found labeled with multiple different intents", message, re.S)
        if m:
            return [self.repeated_example(m["t"])]
        m = re.search(r"The intent '(?P<i>[^']+)' is not used in any story or rule", message)
        if m:
            return [
                _problem(
                    self.locator.domain_intent(m["i"]),
                    f"die Absicht '{m['i']}' kommt in keiner Regel und keiner Story vor: der Bot weiß nicht, "
                    f"was er darauf antworten soll",
                    f"schreiben Sie in data/rules.yml eine Regel mit '- intent: {m['i']}' und der passenden "
                    f"'- action: …'",
                )
            ]
        m = re.search(r"The utterance '(?P<u>[^']+)' is not used in any story or rule", message)
        if m:
            if m["u"] in self.sent_by_code:
                return []
            return [
                _problem(
                    self.locator.response(m["u"]),
                    f"die Antwort '{m['u']}' kommt in keiner Regel und keiner Story vor: der Bot sendet sie nie",
                    f"nutzen Sie sie in data/rules.yml ('- action: {m['u']}') oder streichen Sie sie aus domain.yml",
                )
            ]
        # covered by tools/check.py at the line of each step
        if re.search(r"is used in your stories, but it is not listed in the domain file", message):
            return []
        if re.search(r"is used in the stories, but is not a valid utterance action", message):
            return []
        if re.search(r"The action '[^']+' is used in the '.*' block, but it is not listed", message, re.S):
            return []
        m = re.search(r"The form '(?P<f>[^']+)' is used in the '(?P<b>.*)' block", message, re.S)
        if m:
            return [
                _problem(
                    self.locator.flow(m["b"]),
                    f"„{m['b']}“ nutzt das Formular '{m['f']}', das nicht in domain.yml steht",
                    "ergänzen Sie es unter 'forms:' in domain.yml oder korrigieren Sie den Namen",
                )
            ]
        m = re.search(r"Slot '(?P<s>[^']+)' has a mapping condition for form '(?P<f>[^']+)'", message)
        if m:
            return [
                _problem(
                    self.locator.domain_key("slots"),
                    f"der Slot '{m['s']}' verweist auf das Formular '{m['f']}', das es so nicht gibt "
                    f"oder das den Slot nicht abfragt",
                    "korrigieren Sie unter 'slots:' die Bedingung ('conditions: - active_loop: …') oder das Formular",
                )
            ]
        m = re.search(r"Issue found while processing '(?P<f>[^']+)': Intent '(?P<i>[^']+)' has no examples", message)
        if m:
            return [
                _problem(
                    f"{self.rel(m['f'])}:{self.locator.intent_block(m['i']).rpartition(':')[2]}",
                    f"der Block '- intent: {m['i']}' hat keine Beispiele",
                    "schreiben Sie darunter 'examples: |' und je Zeile ein Beispiel, das mit '- ' beginnt",
                )
            ]
        m = re.search(r"Issue found while processing '(?P<f>[^']+)': The item '(?P<i>[^']*)' contains an example "
                      r"that doesn't start with a '-' symbol: (?P<e>.*)", message, re.S)  # fmt: skip
        if m:
            return [
                _problem(
                    f"{self.rel(m['f'])}:{self.example_line(m['f'], m['e'].strip())}",
                    f"unter '{m['i']}' beginnt ein Beispiel nicht mit '- ': „{m['e'].strip()}“",
                    "beginnen Sie jede Zeile unter 'examples: |' mit '- ' (Bindestrich und Leerzeichen)",
                )
            ]
        m = re.search(r"(?:Issue found (?:while processing |in )|Unexpected block found in )'(?P<f>[^']+)'", message)
        where = f"{self.rel(m['f'])}:1" if m else "data/:1"
        return [
            _problem(
                where,
                f"Rasa kann einen Teil der Trainingsdaten nicht lesen. Rasas Meldung auf Englisch: "
                f"„{' '.join(message.split())}“",
                "vergleichen Sie den Block mit einem anderen Block derselben Datei (Einrückung, '- ', "
                "'examples: |') und führen Sie make check erneut aus",
            )
        ]

    def rel(self, filename: str) -> str:
        path = Path(filename)
        try:
            return str((path if path.is_absolute() else self.root / path).resolve().relative_to(self.root))
        except ValueError:
            return filename

    def example_line(self, filename: str, example: str) -> int:
        path = Path(filename) if Path(filename).is_absolute() else self.root / filename
        try:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if example and example in line:
                    return number
        except OSError:
            pass
        return 1

    def repeated_example(self, text: str) -> str:
        places = self.locator.example(text)
        if not places:
            return _problem(
                "data/:1",
                f"der Beispielsatz „{text}“ steht unter mehreren Absichten",
                "ein Satz darf nur unter einer Absicht stehen: löschen Sie ihn bei den anderen",
            )
        first_intent, first_where = places[0]
        others = ", ".join(f"'{intent}' ({where})" for intent, where in places[1:])
        return _problem(
            first_where,
            f"der Beispielsatz „{text}“ steht unter der Absicht '{first_intent}' und auch unter {others}",
            "ein Satz darf nur unter einer Absicht stehen: löschen Sie ihn dort, wo er nicht hingehört",
        )

    def schema_error(self, error: Exception) -> list[str]:
        """Rasa's schema check of a file (YamlValidationException), line by line."""
        text = str(error)
        found = []
        for m in re.finditer(r"in (?P<f>[^\n]+?):(?P<l>\d+):\n\s+(?P<e>[^\n]+)", text):
            found.append(
                _problem(
                    f"{self.rel(m['f'])}:{m['l']}",
                    f"Rasa erwartet hier einen anderen Aufbau: {schema_detail(m['e'])}",
                    "vergleichen Sie den Block mit einem anderen Block derselben Datei (Namen der Schlüssel, "
                    "Einrückung, '- ' vor Listeneinträgen)",
                )
            )
        if not found:
            m = re.search(r"Failed to validate '(?P<f>[^']+)'", text)
            found.append(
                _problem(
                    f"{self.rel(m['f'])}:1" if m else "data/:1",
                    f"Rasa kann die Datei nicht lesen. Rasas Meldung auf Englisch: „{' '.join(text.split())}“",
                    "vergleichen Sie den Aufbau mit einer funktionierenden Datei derselben Art",
                )
            )
        return found


def schema_detail(error: str) -> str:
    m = re.search(r"Cannot find required key '(?P<k>[^']+)'", error)
    if m:
        return f"der Schlüssel '{m['k']}:' fehlt"
    m = re.search(r"Key '(?P<k>[^']+)' was not defined", error)
    if m:
        return f"den Schlüssel '{m['k']}:' gibt es an dieser Stelle nicht (Tippfehler oder falsch eingerückt?)"
    m = re.search(r"Value '(?P<v>.*)' is not a (?P<t>\w+)", error)
    if m:
        kinds = {"str": "ein Text", "list": "eine Liste", "map": "ein Block mit Schlüsseln", "dict": "ein Block"}
        return f"„{m['v']}“ muss hier {kinds.get(m['t'], m['t'])} sein"
    return f"Rasas Meldung auf Englisch: „{error.strip()}“"


def story_conflict(conflict: Any, locator: Locator) -> str:
    """One German line for a `StoryConflict` (two stories going on differently after the same turns)."""
    from rasa.core.training.story_conflict import _get_previous_event

    kind, name = _get_previous_event(conflict._sliced_states[-1])
    after = {"intent": f"nach der Absicht '{name}'", "action": f"nach der Antwort '{name}'"}.get(
        kind, "am Anfang der Gespräche"
    )
    actions = conflict._conflicting_actions
    parts = [f"„{stories[0]}“ mit '{action}'" for action, stories in actions.items() if stories]
    first_story = next(iter(actions.values()))[0]
    return _problem(
        locator.flow(first_story),
        f"Storys gehen {after} verschieden weiter: {' und '.join(parts)}",
        "nach denselben Schritten darf nur eine Antwort folgen: gleichen Sie die Storys an, oder "
        "unterscheiden Sie sie durch einen Schritt davor (z. B. 'slot_was_set')",
    )


def split_names(joined: str, names: set[str]) -> list[str]:
    """Rule names Rasa joined with ", " (a name may itself contain ", ")."""
    found, current = [], ""
    for part in joined.split(", "):
        current = f"{current}, {part}" if current else part
        if current in names:
            found.append(current)
            current = ""
    if current:
        found.append(current)
    return found


RULE_CONTRADICTION = re.compile(
    r"- the prediction of the action '(?P<gold>[^']+)' in (?P<kind>rule|story) '(?P<name>.+?)' "
    r"is contradicting with rule\(s\) '(?P<others>.+?)'(?: which predicted action '(?P<predicted>[^']+)')?\.$"
)


def rule_problems(message: str, locator: Locator, flow_names: set[str]) -> list[str]:
    """German lines for the RulePolicy's InvalidRule message (one line per contradiction)."""
    found: list[str] = []
    contradictions: dict[frozenset[str], tuple[bool, str]] = {}  # Rasa reports both sides of each
    for line in message.splitlines():
        m = RULE_CONTRADICTION.match(line.strip())
        if m:
            others = split_names(m["others"], flow_names)
            key = frozenset([m["name"], *others])
            if key in contradictions and (contradictions[key][0] or not m["predicted"]):
                continue  # keep the side that names the action the other rule predicted
            kind = "Regel" if m["kind"] == "rule" else "Story"
            named = " und ".join(f"„{n}“ ({locator.flow(n)})" for n in others)
            if m["predicted"]:
                predicted = f" zu '{m['predicted']}'"
            else:  # Rasa names no action when the other rule led to its fallback: look it up
                actions = [a for n in others for a in locator.flow_actions(n) if a != m["gold"]]
                predicted = f" zu '{actions[0]}'" if actions else " zu etwas anderem"
            contradictions[key] = (
                bool(m["predicted"]),
                _problem(
                    locator.flow(m["name"]),
                    f"die {kind} „{m['name']}“ führt zu '{m['gold']}', die Regel {named} "
                    f"in derselben Lage aber{predicted}",
                    "auf dieselbe Absicht darf nur eine Antwort folgen: löschen Sie eine der Regeln, oder "
                    "geben Sie ihnen verschiedene Absichten",
                ),
            )
        elif line.strip().startswith("- the action") or line.strip().startswith("- the form"):
            m2 = re.search(r"in rule '(?P<name>[^']+)'", line)
            found.append(
                _problem(
                    locator.flow(m2["name"]) if m2 else "data/rules.yml:1",
                    f"eine Regel ist unvollständig. Rasas Meldung auf Englisch: „{line.strip()[2:]}“",
                    "ergänzen Sie in der Regel die Schritte 'slot_was_set', die die Aktion setzt, "
                    "oder setzen Sie die Slots ausdrücklich auf 'null'",
                )
            )
    found.extend(line for _, line in contradictions.values())
    m = re.search(r"Found rules '(?P<names>.+?)' that contain more than (?P<n>\d+) user message", message)
    if m:
        for name in split_names(m["names"], flow_names):
            found.append(
                _problem(
                    locator.flow(name),
                    f"die Regel „{name}“ hat mehr als {m['n']} Nachrichten der Person",
                    "eine Regel beschreibt nur eine Nachricht und die Antwort darauf; längere Gespräche "
                    "gehören als Story nach data/stories.yml",
                )
            )
    if not found:
        found.append(
            _problem(
                "data/rules.yml:1",
                f"Regeln widersprechen sich. Rasas Meldung auf Englisch: „{' '.join(message.split())}“",
                "auf dieselbe Absicht darf nur eine Antwort folgen: gleichen Sie die genannten Regeln an",
            )
        )
    return found


# -- running -----------------------------------------------------------------------------
@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _quiet_rasa() -> None:
    """No progress bars, no debug output, no TensorFlow chatter: only our messages are shown."""
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.ERROR)
    for name in ("rasa", "tensorflow", "absl", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run(root: Path = ROOT) -> Result:
    """Every Rasa check that can run on the project at `root`."""
    _quiet_rasa()
    from bot.server.rasa_patches import speed_up_reading_training_data

    speed_up_reading_training_data()  # the same checks, the schema checked once (about 10 s less)
    result = Result()
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecations inside Rasa's own imports
        from rasa.shared.exceptions import RasaException
        from rasa.shared.importers.importer import TrainingDataImporter
        from rasa.utils.common import EXPECTED_WARNINGS
        from rasa.validator import Validator

    locator = Locator(root)
    translator = Translator(root, locator, responses_sent_by_code(root), intents_sent_by_buttons(root))

    def keep(caught: list[warnings.WarningMessage]) -> None:
        for warning in caught:
            message = str(warning.message)
            if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
                continue
            if "Deprecat" in warning.category.__name__ or "site-packages" in str(warning.filename):
                # libraries' own notes (pyparsing, SQLAlchemy): nothing an editor can change
                if "rasa" not in str(warning.filename):
                    continue
            if any(issubclass(warning.category, k) and re.match(p, message) for k, p in EXPECTED_WARNINGS):
                continue
            result.problems.extend(translator.translate(message))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            importer = TrainingDataImporter.load_from_config(
                str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
            )
            validator = Validator.from_importer(importer)
        except RasaException as error:
            keep(caught)
            if "Failed to validate" in str(error):
                result.problems.extend(translator.schema_error(error))
            else:
                result.problems.append(
                    _problem(
                        "data/:1",
                        f"Rasa kann die Trainingsdaten nicht laden. Rasas Meldung auf Englisch: "
                        f"„{' '.join(str(error).split())}“",
                        "beheben Sie zuerst die Meldungen darüber; führen Sie dann make check erneut aus",
                    )
                )
            result.skipped.append(("Rasa-Prüfung", "Rasa konnte die Trainingsdaten nicht laden (siehe oben)"))
            return result
        if not validator.verify_domain_validity():
            result.problems.append(
                _problem(
                    "domain.yml:1", "domain.yml ist leer oder veraltet", "stellen Sie die Datei aus Git wieder her"
                )
            )
        validator.verify_intents(ignore_warnings=False)
        validator.verify_example_repetition_in_intents(ignore_warnings=False)
        validator.verify_intents_in_stories(ignore_warnings=False)
        validator.verify_utterances_in_stories(ignore_warnings=False)
        validator.verify_forms_in_stories_rules()
        validator.verify_actions_in_stories_rules()
        validator.verify_slot_mappings()
    keep(caught)
    result.seconds["Rasa-Prüfung"] = time.monotonic() - started
    result.ran.append("Rasa-Prüfung")

    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result.problems.extend(story_conflicts(validator, locator))
        result.problems.extend(rule_conflicts(root, validator, locator))
    keep(caught)
    result.seconds["Regelkonflikte"] = time.monotonic() - started
    result.ran.append("Regel- und Story-Konflikte")
    result.problems = list(dict.fromkeys(result.problems))
    return result


def story_conflicts(validator: Any, locator: Locator) -> list[str]:
    from rasa.core.training.story_conflict import find_story_conflicts
    from rasa.shared.core.generator import TrainingDataGenerator

    trackers = TrainingDataGenerator(
        validator.story_graph, domain=validator.domain, remove_duplicates=False, augmentation_factor=0
    ).generate_story_trackers()
    return [story_conflict(c, locator) for c in find_story_conflicts(trackers, validator.domain, None)]


def rule_conflicts(root: Path, validator: Any, locator: Locator) -> list[str]:
    """The RulePolicy's own check for contradicting rules, as `rasa train` runs it."""
    from rasa.core.policies.rule_policy import InvalidRule, RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.generator import TrainingDataGenerator

    policy_config = next(
        (p for p in validator.config.get("policies") or [] if str(p.get("name", "")).endswith("RulePolicy")), None
    )
    if policy_config is None:
        return []
    config = {**RulePolicy.get_default_config(), **{k: v for k, v in policy_config.items() if k != "name"}}
    trackers = TrainingDataGenerator(
        validator.story_graph, validator.domain, augmentation_factor=0, remove_duplicates=True
    ).generate()
    flow_names = {step.block_name for step in validator.story_graph.story_steps}
    with tempfile.TemporaryDirectory() as directory:
        policy = RulePolicy.create(
            config,
            LocalModelStorage(Path(directory)),
            Resource("rule_policy"),
            ExecutionContext(GraphSchema({}), "check"),
        )
        try:
            policy.train(trackers, validator.domain)
        except InvalidRule as error:
            return rule_problems(str(error), locator, flow_names)
    return []


def validate(root: Path = ROOT) -> list[str]:
    return run(root).problems


def main() -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Rasas eigene Prüfung der Trainingsdaten, auf Deutsch.")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--json", action="store_true", help="Ergebnis als eine JSON-Zeile (für tools/check.py)")
    args = parser.parse_args()
    result = run(args.root.resolve())
    if args.json:
        print(json.dumps({"problems": result.problems, "ran": result.ran, "skipped": result.skipped,
                          "seconds": result.seconds}, ensure_ascii=False))  # fmt: skip
        return 0
    for problem in result.problems:
        print(problem)
    for stage, why in result.skipped:
        print(f"Nicht geprüft: {stage}, weil {why}.")
    count = len(result.problems)
    if count:
        print(f"{count} {'Problem' if count == 1 else 'Probleme'} gefunden")
        return 1
    print("Alles in Ordnung")
    return 0


if __name__ == "__main__":
    sys.exit(main())
