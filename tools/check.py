"""`make check`: fast checks for editors, no training.

Checks YAML syntax, the fact store (schema, sources: bot.content.knowledge), the links
between the files editors touch (therapy names and entity values in the
training data and tests, the domain's slot values, intents/responses/actions
used in rules and stories, button payloads) and the readability of every
answer (tools.readability). Every problem is one line
`file:line: what is wrong and how to fix it`; exit code 1 if any.
Rasa's own `rasa data validate` runs as a separate step of `make check`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from bot.content.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from tools import readability

ROOT = Path(__file__).resolve().parent.parent
# Rasa's own actions that stories and rules may use without declaring them.
RASA_DEFAULT_ACTIONS = {
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "action_extract_slots",
}  # fmt: skip
RASA_DEFAULT_INTENTS = {"nlu_fallback", "restart", "session_start", "back", "out_of_scope"}
# `[text](therapy:value)`, `[text](therapy)` and `[text]{"entity": "therapy", "value": "..."}`
ENTITY_SHORT = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[\w-]+)(?::(?P<value>[^)]+))?\)")
ENTITY_JSON = re.compile(r"\[(?P<text>[^\]]+)\](?P<json>\{[^}]*\})")
# A button payload: `/intent` or `/intent{"therapy": "akupunktur"}`.
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<json>\{.*\})?$")
# ruamel's wording -> (what an editor should do, report the line where the broken part began?).
# For an unclosed quote or list ruamel notices the problem only lines later; the
# "context" line is where the part began, which is what the editor must fix.
YAML_HINTS = (
    ("found duplicate key", "the same key appears twice in one block; delete or rename one of them", False),
    ("cannot start any token", "there is a tab or another odd character; indent with spaces only", False),
    ("mapping values are not allowed", "a ':' inside a value; put the whole value in quotes", False),
    ("but found '<scalar>'", "a quote opened in this entry is not closed, or a line below is indented wrongly", True),
    ("expected <block end>", "the indentation does not match the lines above; line it up with them", False),
    ("could not find expected ':'", "a line is missing its ':' or a quote is not closed", False),
    ("end of stream", "a quote is opened here and never closed; add the closing quote", True),
    ("expected ',' or ']'", "a [...] list is not closed; check its ',' and ']'", True),
    ("expected ',' or '}'", "a {...} block is not closed; check its ',' and '}'", True),
)


@dataclass
class Checker:
    root: Path
    problems: list[str]
    scored: list[tuple[readability.Answer, readability.Score]] = field(default_factory=list)
    # Each file is parsed once (ruamel is slow) and its YAML error reported once.
    parsed: dict[Path, object | None] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def load_yaml(self, path: Path) -> object | None:
        if path not in self.parsed:
            self.parsed[path] = self.parse_yaml(path)
        return self.parsed[path]

    def parse_yaml(self, path: Path) -> object | None:
        try:
            return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        except MarkedYAMLError as error:
            problem = str(error.problem)
            hint, at_start = next(
                ((hint, at_start) for key, hint, at_start in YAML_HINTS if key in problem),
                (f"not valid YAML ({problem})", False),
            )
            mark = error.context_mark if at_start and error.context_mark is not None else error.problem_mark
            line = mark.line + 1 if mark is not None else 1
            self.problems.append(f"{self.rel(path)}:{line}: broken YAML: {hint}")
        except UnicodeDecodeError:
            self.problems.append(f"{self.rel(path)}:1: the file is not saved as UTF-8; save it as UTF-8")
        except FileNotFoundError:
            self.problems.append(f"{self.rel(path)}:1: the file is missing; restore it")
        return None

    def yaml_files(self, folder: str) -> list[Path]:
        return sorted((self.root / folder).rglob("*.yml"))

    def therapy_lines(self) -> dict[str, int]:
        """Line of each therapy's id in knowledge/therapies.yml, for messages that point there."""
        document = self.load_yaml(self.root / "knowledge" / "therapies.yml")
        therapies = document.get("therapies") if isinstance(document, CommentedMap) else None
        if not isinstance(therapies, CommentedMap):
            return {}
        return {str(therapy): therapies.lc.key(therapy)[0] + 1 for therapy in therapies}

    # -- training data -------------------------------------------------------
    def nlu_blocks(self, folder: str) -> Iterator[tuple[Path, CommentedMap]]:
        for path in self.yaml_files(folder):
            document = self.load_yaml(path)
            if isinstance(document, CommentedMap) and isinstance(document.get("nlu"), CommentedSeq):
                for block in document["nlu"]:
                    if isinstance(block, CommentedMap):
                        yield path, block

    @staticmethod
    def example_lines(block: CommentedMap) -> Iterator[tuple[int, str]]:
        """(1-based line, example text) for each `- example` of a block."""
        examples = block.get("examples")
        if not isinstance(examples, str):
            return
        first = block.lc.value("examples")[0] + 2  # the line after `examples: |`
        for offset, line in enumerate(examples.splitlines()):
            stripped = line.strip()
            if stripped.startswith("- "):
                yield first + offset, stripped[2:]

    def unknown_therapy(self, where: str, value: str, kb: KnowledgeBase, how: str) -> None:
        self.problems.append(
            f"{where}: therapy value '{value}' is not a therapy id; {how} with one of: {', '.join(kb.therapies)}"
        )

    def check_training_data(self, kb: KnowledgeBase) -> None:
        names: dict[str, tuple[str, str]] = {}  # lower-case form -> (therapy, where)
        annotated: dict[str, tuple[str, str]] = {}  # lower-case annotated text -> (therapy, where)
        synonym_ids: set[str] = set()
        for path, block in self.nlu_blocks("data"):
            if "synonym" in block:
                therapy = str(block["synonym"])
                where = f"{self.rel(path)}:{block.lc.line + 1}"
                if therapy not in kb.therapies:
                    self.problems.append(
                        f"{where}: synonym block for unknown therapy '{therapy}'; add it to knowledge/therapies.yml "
                        f"or use one of: {', '.join(kb.therapies)}"
                    )
                    continue
                synonym_ids.add(therapy)
                for line, form in self.example_lines(block):
                    key = form.strip().lower()
                    if key in names and names[key][0] != therapy:
                        self.problems.append(
                            f"{self.rel(path)}:{line}: '{form}' is a name of both '{therapy}' and "
                            f"'{names[key][0]}' ({names[key][1]}); keep it under one therapy"
                        )
                    names.setdefault(key, (therapy, f"{self.rel(path)}:{line}"))
            if "intent" in block:
                for line, example in self.example_lines(block):
                    for text, value in self.therapy_values(example):
                        where = f"{self.rel(path)}:{line}"
                        if value not in kb.therapies:
                            self.unknown_therapy(where, value, kb, "write [text](therapy:ID)")
                            continue
                        annotated.setdefault(text.lower(), (value, where))
        # An annotation teaches the bot a name just like a synonym does, so the two must agree.
        for text, (value, where) in annotated.items():
            if text in names and names[text][0] != value:
                self.problems.append(
                    f"{where}: '{text}' is marked as '{value}' here but listed as a name of "
                    f"'{names[text][0]}' ({names[text][1]}); use the same therapy in both places"
                )
        annotated_ids = {value for value, _ in annotated.values()}
        lines = self.therapy_lines()
        for therapy in kb.therapies:
            where = f"knowledge/therapies.yml:{lines.get(therapy, 1)}"
            if therapy not in synonym_ids:
                self.problems.append(
                    f"{where}: therapy '{therapy}' has no names in data/nlu; add a 'synonym: {therapy}' "
                    f"block to data/nlu/therapies.yml listing how people write it"
                )
            if therapy not in annotated_ids:
                self.problems.append(
                    f"{where}: therapy '{therapy}' appears in no NLU example; "
                    f"add questions like '- hilft [Name](therapy:{therapy})?' to data/nlu/faq.yml"
                )
        # The held-out test set is no training data, but a wrong value there makes the evaluation lie.
        for path, block in self.nlu_blocks("tests"):
            for line, example in self.example_lines(block) if "intent" in block else ():
                for _, value in self.therapy_values(example):
                    if value not in kb.therapies:
                        self.unknown_therapy(f"{self.rel(path)}:{line}", value, kb, "write [text](therapy:ID)")

    @staticmethod
    def therapy_values(example: str) -> list[tuple[str, str]]:
        """(annotated text, therapy value) for each therapy annotation in an example."""
        values = []
        for match in ENTITY_SHORT.finditer(example):
            if match["entity"] == "therapy":
                values.append((match["text"], match["value"] or match["text"]))
        for match in ENTITY_JSON.finditer(example):
            try:
                data = json.loads(match["json"])
            except json.JSONDecodeError:
                continue
            if data.get("entity") == "therapy":
                values.append((match["text"], str(data.get("value", match["text"]))))
        return values

    # -- domain, rules and stories ------------------------------------------
    def check_domain(self, kb: KnowledgeBase) -> None:
        path = self.root / "domain.yml"
        domain = self.load_yaml(path)
        if not isinstance(domain, CommentedMap):
            return
        slot = (domain.get("slots") or {}).get("therapy") or {}
        # Point at `values:`, where the editor adds or removes one.
        slot_line = slot.lc.key("values")[0] + 1 if isinstance(slot, CommentedMap) and "values" in slot else 1
        values = set(slot.get("values") or [])
        for missing in sorted(set(kb.therapies) - values):
            self.problems.append(
                f"domain.yml:{slot_line}: slot 'therapy' lacks value '{missing}'; add it under slots > therapy > values"
            )
        for extra in sorted(values - set(kb.therapies)):
            self.problems.append(
                f"domain.yml:{slot_line}: slot 'therapy' has value '{extra}' that knowledge/therapies.yml lacks; "
                f"add the therapy there or remove the value"
            )
        known_actions = set(domain.get("actions") or []) | set(domain.get("responses") or {}) | RASA_DEFAULT_ACTIONS
        known_intents = set(domain.get("intents") or []) | RASA_DEFAULT_INTENTS
        self.check_buttons(domain, known_intents, kb)
        for path in self.yaml_files("data") + self.yaml_files("tests/stories"):
            document = self.load_yaml(path)
            if not isinstance(document, CommentedMap):
                continue
            for key in ("rules", "stories"):
                for flow in document.get(key) or []:
                    steps = flow.get("steps") if isinstance(flow, CommentedMap) else None
                    for step in steps or []:
                        if isinstance(step, CommentedMap):
                            self.check_step(path, step, known_actions, known_intents, kb)

    def check_step(
        self, path: Path, step: CommentedMap, known_actions: set[str], known_intents: set[str], kb: KnowledgeBase
    ) -> None:
        where = f"{self.rel(path)}:{step.lc.line + 1}"
        if "action" in step and step["action"] not in known_actions:
            self.problems.append(
                f"{where}: action '{step['action']}' is not in domain.yml; "
                f"add it under 'responses' (utter_...) or 'actions', or fix the spelling"
            )
        intents = [step["intent"]] if "intent" in step else []
        intents += [alt["intent"] for alt in step.get("or") or [] if isinstance(alt, CommentedMap) and "intent" in alt]
        for intent in intents:
            if intent not in known_intents:
                self.problems.append(
                    f"{where}: intent '{intent}' is not in domain.yml; add it under 'intents' or fix the spelling"
                )
        # Entities and slots a story sets must hold a therapy id, as the NLU would fill them.
        values = [e.get("therapy") for e in step.get("entities") or [] if isinstance(e, CommentedMap)]
        values += [s.get("therapy") for s in step.get("slot_was_set") or [] if isinstance(s, CommentedMap)]
        for value in values:
            if value is not None and value not in kb.therapies:
                self.unknown_therapy(where, str(value), kb, "write 'therapy: ID'")
        if isinstance(step.get("user"), str):
            for _, value in self.therapy_values(step["user"]):
                if value not in kb.therapies:
                    self.unknown_therapy(where, value, kb, "write [text](therapy:ID)")

    def check_buttons(self, domain: CommentedMap, known_intents: set[str], kb: KnowledgeBase) -> None:
        for name, variants in (domain.get("responses") or {}).items():
            for variant in variants or []:
                buttons = variant.get("buttons") if isinstance(variant, CommentedMap) else None
                for button in buttons or []:
                    if not isinstance(button, CommentedMap):
                        continue
                    where = f"domain.yml:{button.lc.line + 1}"
                    match = PAYLOAD.match(str(button.get("payload", "")))
                    if match is None:
                        self.problems.append(
                            f"{where}: button of '{name}' has payload '{button.get('payload')}'; "
                            f'write /intent or /intent{{"therapy": "ID"}}'
                        )
                        continue
                    if match["intent"] not in known_intents:
                        self.problems.append(
                            f"{where}: button of '{name}' sends unknown intent '{match['intent']}'; "
                            f"use one listed under 'intents'"
                        )
                    try:
                        slots = json.loads(match["json"]) if match["json"] else {}
                    except json.JSONDecodeError:
                        self.problems.append(
                            f"{where}: button of '{name}' has a broken {{...}} part; "
                            f'write it like {{"therapy": "akupunktur"}} with double quotes'
                        )
                        continue
                    value = slots.get("therapy") if isinstance(slots, dict) else None
                    if value is not None and value not in kb.therapies:
                        self.unknown_therapy(where, str(value), kb, 'write {"therapy": "ID"}')

    def run(self) -> None:
        for folder in ("knowledge", "data", "tests"):
            for path in self.yaml_files(folder):
                self.load_yaml(path)
        for name in ("domain.yml", "config.yml", "endpoints.yml", "credentials.yml"):
            self.load_yaml(self.root / name)
        if self.problems:
            return  # broken YAML: the later checks would only repeat it
        try:
            kb = load_knowledge(self.root / "knowledge")
        except KnowledgeError as error:
            self.problems.extend(error.problems)
            return
        self.check_training_data(kb)
        self.check_domain(kb)
        self.scored = readability.score_all(kb, self.root)
        self.problems.extend(readability.problems(self.scored))


def check(root: Path = ROOT) -> list[str]:
    """Every problem in the project at `root`, one `file:line: …` line each (empty when all is well)."""
    checker = Checker(root=root, problems=[])
    checker.run()
    return list(dict.fromkeys(checker.problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    checker = Checker(root=args.root.resolve(), problems=[])
    checker.run()
    problems = list(dict.fromkeys(checker.problems))
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("check: fact store, training data and domain are consistent.")
    print(readability.summary(checker.scored))
    return 0


if __name__ == "__main__":
    sys.exit(main())
