"""`make check`: fast checks for editors, no training.

Checks YAML syntax, the fact store, and the links between the files editors
touch: therapy names in the training data, entity values, the domain's slot
values, and responses/actions/intents used in rules and stories. Every problem
is one line `file:line: what is wrong and how to fix it`; exit code 1 if any.
Rasa's own `rasa data validate` runs as a separate step of `make check`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge

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


@dataclass
class Checker:
    root: Path
    problems: list[str]

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def load_yaml(self, path: Path) -> object | None:
        try:
            return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        except MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else 1
            self.problems.append(
                f"{self.rel(path)}:{line}: not valid YAML: {error.problem} (check indentation and quotes)"
            )
        return None

    def yaml_files(self, folder: str) -> list[Path]:
        return sorted((self.root / folder).rglob("*.yml"))

    # -- training data -------------------------------------------------------
    def nlu_blocks(self) -> Iterator[tuple[Path, CommentedMap]]:
        for path in self.yaml_files("data"):
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

    def check_training_data(self, kb: KnowledgeBase) -> None:
        names: dict[str, tuple[str, str]] = {}  # lower-case form -> (therapy, where)
        annotated: set[str] = set()
        synonym_ids: set[str] = set()
        for path, block in self.nlu_blocks():
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
                    for value in self.therapy_values(example):
                        if value not in kb.therapies:
                            self.problems.append(
                                f"{self.rel(path)}:{line}: therapy value '{value}' is not a therapy id; write "
                                f"[text](therapy:ID) with one of: {', '.join(kb.therapies)}"
                            )
                        annotated.add(value)
        for therapy in kb.therapies:
            if therapy not in synonym_ids:
                self.problems.append(
                    f"knowledge/therapies.yml:1: therapy '{therapy}' has no names in data/nlu; "
                    f"add a 'synonym: {therapy}' block listing how people write it"
                )
            if therapy not in annotated:
                self.problems.append(
                    f"knowledge/therapies.yml:1: therapy '{therapy}' appears in no NLU example; "
                    f"add questions like '- hilft [Name](therapy:{therapy})?' to data/nlu/faq.yml"
                )

    @staticmethod
    def therapy_values(example: str) -> list[str]:
        values = []
        for match in ENTITY_SHORT.finditer(example):
            if match["entity"] == "therapy":
                values.append(match["value"] or match["text"])
        for match in ENTITY_JSON.finditer(example):
            try:
                data = json.loads(match["json"])
            except json.JSONDecodeError:
                continue
            if data.get("entity") == "therapy":
                values.append(str(data.get("value", match["text"])))
        return values

    # -- domain, rules and stories ------------------------------------------
    def check_domain(self, kb: KnowledgeBase) -> None:
        path = self.root / "domain.yml"
        domain = self.load_yaml(path)
        if not isinstance(domain, CommentedMap):
            return
        slot = (domain.get("slots") or {}).get("therapy") or {}
        values = set(slot.get("values") or [])
        for missing in sorted(set(kb.therapies) - values):
            self.problems.append(
                f"domain.yml:{slot.lc.line + 1 if slot else 1}: slot 'therapy' lacks value '{missing}'; "
                f"add it under slots > therapy > values"
            )
        for extra in sorted(values - set(kb.therapies)):
            self.problems.append(
                f"domain.yml:{slot.lc.line + 1}: slot 'therapy' has value '{extra}' that knowledge/therapies.yml lacks"
            )
        known_actions = set(domain.get("actions") or []) | set(domain.get("responses") or {}) | RASA_DEFAULT_ACTIONS
        known_intents = set(domain.get("intents") or []) | RASA_DEFAULT_INTENTS
        for path in self.yaml_files("data") + self.yaml_files("tests/stories"):
            document = self.load_yaml(path)
            if not isinstance(document, CommentedMap):
                continue
            for key in ("rules", "stories"):
                for flow in document.get(key) or []:
                    for step in flow.get("steps") or []:
                        if not isinstance(step, CommentedMap):
                            continue
                        line = step.lc.line + 1
                        if "action" in step and step["action"] not in known_actions:
                            self.problems.append(
                                f"{self.rel(path)}:{line}: action '{step['action']}' is not in domain.yml; "
                                f"add it under 'responses' (utter_...) or 'actions'"
                            )
                        if "intent" in step and step["intent"] not in known_intents:
                            self.problems.append(
                                f"{self.rel(path)}:{line}: intent '{step['intent']}' is not in domain.yml; "
                                f"add it under 'intents'"
                            )

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


def check(root: Path = ROOT) -> list[str]:
    checker = Checker(root=root, problems=[])
    checker.run()
    return list(dict.fromkeys(checker.problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    problems = check(args.root.resolve())
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("check: fact store, training data and domain are consistent.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
