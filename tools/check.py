"""`make check`: every check an editor needs, without training, with one German line per problem.

Stages, in order (each says what it checks; a stage that cannot run says why it was skipped):

1. YAML-Syntax     every YAML file editors touch (knowledge/, data/, tests/, dev/, domain.yml,
                   config*.yml, endpoints.yml, credentials.yml, interface_texts.yml)
2. Faktenspeicher  the structure of knowledge/ (bot.content.knowledge; its messages, made
                   clearer where an indentation mistake hides behind them)
3. Inhaltsregeln   tools/content_rules.py: quotes on the page, numbers and hedges kept, no
                   copied runs, no "Quelle:" inside a text, sentence limits
4. Wortlisten      every pattern of the word lists (knowledge/details.yml, therapies.yml,
                   safety.yml, scope.yml) compiled with components.matching
5. Trainingsdaten  treatments, their names (data/therapy_names.yml), examples (data/nlu.yml),
                   the domain's slot values, rules and stories, buttons, near-duplicate examples,
                   examples the safety guard answers as a crisis but listed under another intent,
                   and the held-out and development sets (tests/nlu/, dev/)
6. Rasa-Prüfung    tools/validate.py: Rasa's own `rasa data validate` plus the rule-conflict check
                   of `rasa train`, translated; runs in a second process while 2–5 and 7 run
7. Lesbarkeit      tools/readability.py over every text a person reads

Every problem is one line `Datei:Zeile: was falsch ist. So beheben Sie es: …`. The last line
says "Alles in Ordnung" or "N Probleme gefunden"; the exit code is 1 if there is any problem.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from components.matching import PatternError, compile_pattern, fold, tokenize
from components.safety_guard import CRISIS, CRISIS_TIER, SafetyGuard
from components.scope_guard import INTENT_BY_ASPECT, TOPIC_KINDS

ROOT = Path(__file__).resolve().parent.parent
# (knowledge/safety.yml as bytes, example) -> crisis words found (Checker.crisis_signs)
_CRISIS_FINDINGS: dict[tuple[bytes, str], list[str]] = {}
# (file, careful parser, text) -> the parsed file: a process that checks many copies of the project
# (the fixture tests, tests/fixtures/project.py) parses each unchanged file once. Nothing the
# check does changes a parsed file.
_PARSED: dict[tuple[str, bool, str], Any] = {}
YAML_FOLDERS = ("knowledge", "data", "tests", "dev")
YAML_FILES = ("domain.yml", "endpoints.yml", "credentials.yml", "interface_texts.yml")
REQUIRED_FILES = ("domain.yml", "config.yml", "interface_texts.yml", "data/nlu.yml", "data/therapy_names.yml")
# The files the fact store reads (safety.yml and scope.yml are word lists for the NLU).
KNOWLEDGE_FILES = ("sources.yml", "therapies.yml", "aspects.yml", "details.yml", "general.yml")
# Rasa's own actions and intents that stories and rules may use without declaring them.
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
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
# A button payload as the button sends it: `/intent` or `/intent{"therapy": "akupunktur"}`. In
# domain.yml its braces are written twice: Rasa fills `{name}` in responses, payloads included.
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<json>\{.*\})?$")
# Keys of a claim or a silence: a line like this inside a text has slipped into it.
CLAIM_KEYS = ("id", "text", "quote", "section", "sections", "aspects", "details", "verdict", "advice",
              "references", "nearest", "refer", "shared", "silent")  # fmt: skip
# The sets that measure the NLU: custom format (`messages:` with `therapy:` lists) and Rasa format.
LABELLED_SETS = ("tests/nlu/testset.yml", "tests/nlu/reportset.yml", "dev/nlu_dev_c.yml")
RASA_FORMAT_SETS = ("dev/nlu_dev_a.yml", "dev/nlu_dev_b.yml")

STAGES = {
    "yaml": "YAML-Syntax",
    "knowledge": "Faktenspeicher",
    "content": "Inhaltsregeln",
    "patterns": "Wortlisten",
    "training": "Trainingsdaten und Testsätze",
    "rasa": "Rasa-Prüfung (mit Regelkonflikten)",
    "readability": "Lesbarkeit",
}


def problem(where: str, what: str, fix: str) -> str:
    return f"{where}: {what}. So beheben Sie es: {fix}"


# -- YAML errors, explained ---------------------------------------------------------------
def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_scalar_above(lines: list[str], number: int) -> tuple[int, int] | None:
    """(line, indentation of its text) of a `key: >-` / `key: |` block the line `number` may belong to."""
    for index in range(number - 2, max(-1, number - 60), -1):
        line = lines[index]
        if not line.strip():
            continue
        if re.search(r":\s*[>|][-+]?\s*(#.*)?$", line):
            following = [lines[i] for i in range(index + 1, number - 1) if lines[i].strip()]
            text_indent = _indent(following[0]) if following else _indent(line) + 2
            if _indent(line) < _indent(lines[number - 1]) < text_indent:
                return index + 1, text_indent
            return None
        if _indent(line) <= _indent(lines[number - 1]) and re.match(r"\s*(- )?[\w\"']+:", line):
            return None
    return None


def _unclosed_quote(lines: list[str], number: int) -> int | None:
    """The nearest line at or above `number` where a double quote is opened and not closed."""
    for index in range(number - 1, max(-1, number - 40), -1):
        if len(re.findall(r'(?<!\\)"', lines[index])) % 2 == 1:
            return index + 1
    return None


def explain_yaml_error(text: str, error: MarkedYAMLError) -> tuple[int, str, str]:
    """(line, what is wrong, how to fix it) for a YAML error, in German."""
    lines = text.splitlines() or [""]
    problem_text = str(error.problem or "")
    mark = error.problem_mark
    number = min(mark.line + 1 if mark is not None else 1, len(lines))
    context = error.context_mark.line + 1 if getattr(error, "context_mark", None) is not None else number
    line = lines[number - 1] if lines else ""

    if "found undefined alias" in problem_text or "found character '*'" in problem_text:
        word = re.search(r"alias '([^']+)'", problem_text)
        shown = f'"*{word.group(1)}"' if word else '"*wort"'
        return (
            number,
            "ein Eintrag beginnt mit *, und YAML liest * am Anfang als Verweis auf eine andere Stelle",
            f"setzen Sie das Wort in Anführungszeichen, zum Beispiel {shown}",
        )
    if "found duplicate key" in problem_text:
        key = re.search(r'found duplicate key "([^"]+)"', problem_text)
        name = f"'{key.group(1)}:'" if key else "ein Schlüssel"
        return number, f"{name} steht zweimal im selben Block", "löschen Sie einen der beiden oder benennen Sie ihn um"
    if "\t" in line or "found character '\\t'" in problem_text:
        return number, "die Zeile enthält ein Tabulatorzeichen", "rücken Sie nur mit Leerzeichen ein, nie mit Tab"
    if "end of stream" in problem_text or "while scanning a quoted scalar" in str(error.context or ""):
        return (
            context,
            'hier beginnt ein Text in Anführungszeichen ", der nicht geschlossen wird',
            'setzen Sie am Ende des Textes das schließende "',
        )
    if "expected ',' or ']'" in problem_text:
        return context, "eine Liste in [ ] ist nicht geschlossen", "prüfen Sie die Kommas und die schließende ]"
    if "expected ',' or '}'" in problem_text:
        return context, "ein Block in { } ist nicht geschlossen", "prüfen Sie die Kommas und die schließende }"

    # A line of a `>-` text indented less than the text above it.
    for candidate in dict.fromkeys((context, number)):
        block = _block_scalar_above(lines, candidate)
        if block is not None:
            return (
                candidate,
                f"diese Zeile gehört wohl zum Text, der in Zeile {block[0]} beginnt, ist aber weniger "
                f"eingerückt als die Zeilen darüber",
                f"rücken Sie sie genauso weit ein wie den Text darüber ({block[1]} Leerzeichen)",
            )
    quote = _unclosed_quote(lines, number - 1) if number > 1 else None
    if quote is not None and ("but found '<scalar>'" in problem_text or "could not find expected ':'" in problem_text):
        return (
            quote,
            'in dieser Zeile wird ein Anführungszeichen " geöffnet und nicht geschlossen',
            'setzen Sie am Ende des Textes das schließende "',
        )
    previous = next((lines[i] for i in range(number - 2, -1, -1) if lines[i].strip()), "")
    if _indent(line) > _indent(previous) and re.match(r"\s*(- )?[\w\"']+:\s*\S", previous):
        key = previous.strip().removeprefix("- ").split(":")[0]
        return (
            number,
            f"diese Zeile ist weiter eingerückt als '{key}:' darüber",
            f"rücken Sie sie genauso weit ein wie '{key}:' ({_indent(previous) + (2 if previous.strip().startswith('- ') else 0)} Leerzeichen)",
        )
    if "mapping values are not allowed" in problem_text:
        return (
            number,
            "ein Doppelpunkt mit Leerzeichen danach steht mitten in einem Wert",
            'setzen Sie den ganzen Text in Anführungszeichen: text: "…"',
        )
    if "could not find expected ':'" in problem_text:
        return (
            context,
            "dieser Zeile fehlt der Doppelpunkt nach dem Namen, oder ein Anführungszeichen ist nicht geschlossen",
            "schreiben Sie 'name: wert' oder schließen Sie das Anführungszeichen",
        )
    if "expected <block end>" in problem_text or "did not find expected" in problem_text:
        return (
            number,
            "die Einrückung dieser Zeile passt nicht zu den Zeilen darüber",
            "richten Sie die Zeile an den Zeilen darüber aus, nur mit Leerzeichen",
        )
    return (
        number,
        f"die Datei ist hier kein gültiges YAML (Meldung des YAML-Lesers: „{problem_text}“)",
        "prüfen Sie Einrückung, Doppelpunkte, Bindestriche und Anführungszeichen in dieser Zeile",
    )


# -- finding treatment names in a message -------------------------------------------------
MIN_PREFIX_NAME = 6  # a one-word name this long also matches as the start of a word ("Fangopackung")


class NameFinder:
    """Finds the treatments named in a text: names as words in a row (folded like the name finder of
    the bot: case and umlauts do not count), a long one-word name also as the start of a word."""

    def __init__(self) -> None:
        self.by_first: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
        self.prefixes: dict[str, tuple[str, str]] = {}

    def add(self, therapy: str, form: str) -> None:
        parts = tuple(t.norm for t in tokenize(form))
        if not parts:
            return
        self.by_first.setdefault(parts[0], []).append((therapy, form, parts))
        if len(parts) == 1 and len(parts[0]) >= MIN_PREFIX_NAME:
            self.prefixes.setdefault(parts[0], (therapy, form))

    def find(self, text: str) -> dict[str, str]:
        """therapy -> the name found in `text`."""
        words = [t.norm for t in tokenize(text)]
        found: dict[str, str] = {}
        for i, word in enumerate(words):
            for therapy, form, parts in self.by_first.get(word, ()):
                if therapy not in found and tuple(words[i : i + len(parts)]) == parts:
                    found[therapy] = form
            for end in range(MIN_PREFIX_NAME, len(word)):
                hit = self.prefixes.get(word[:end])
                if hit is not None and hit[0] not in found:
                    found[hit[0]] = hit[1]
        return found


# -- the checker ----------------------------------------------------------------------------
def mapping(node: Any, key: str) -> CommentedMap:
    """The mapping under `key`, or an empty one where there is none (a broken file is named elsewhere)."""
    value = node.get(key) if isinstance(node, CommentedMap) else None
    return value if isinstance(value, CommentedMap) else CommentedMap()


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Checker:
    root: Path
    report: Report = field(default_factory=Report)
    parsed: dict[Path, Any] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # files that are no valid YAML (relative paths)
    kb: Any = None
    loader_problems: list[str] = field(default_factory=list)
    name_owner: dict[str, tuple[str, str]] = field(default_factory=dict)

    # -- files ---------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def add(self, where: str, what: str, fix: str) -> None:
        self.report.problems.append(problem(where, what, fix))

    def load(self, path: Path) -> Any:
        """The parsed YAML file (None if it is missing or broken; reported in stage 1)."""
        if path not in self.parsed:
            self.parsed[path] = self._parse(path)
        return self.parsed[path]

    def doc(self, rel: str) -> Any:
        return self.load(self.root / rel)

    def _parse(self, path: Path) -> Any:
        rel = self.rel(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.broken.add(rel)
            self.add(f"{rel}:1", "die Datei fehlt", "stellen Sie sie wieder her (git checkout -- " + rel + ")")
            return None
        except UnicodeDecodeError:
            self.broken.add(rel)
            self.add(f"{rel}:1", "die Datei ist nicht als UTF-8 gespeichert", "speichern Sie sie als UTF-8")
            return None
        key = (rel, self.needs_lines(rel), text)
        if key in _PARSED:
            return _PARSED[key]
        try:
            if not self.needs_lines(rel):
                try:  # only the syntax matters here: the fast C parser, the careful one for messages
                    _PARSED[key] = YAML(typ="safe", pure=False).load(text)
                    return _PARSED[key]
                except Exception:
                    pass
            _PARSED[key] = YAML(typ="rt").load(text)
            return _PARSED[key]
        except MarkedYAMLError as error:
            self.broken.add(rel)
            line, what, fix = explain_yaml_error(text, error)
            self.add(f"{rel}:{line}", f"kaputtes YAML: {what}", fix)
            return None

    @staticmethod
    def needs_lines(rel: str) -> bool:
        """Files whose content is checked line by line (read with ruamel's round-trip parser)."""
        if rel in LABELLED_SETS:
            return False  # large; their lines are found by `message_lines`
        # the other development sets are only checked for their syntax: the fast parser is enough
        return rel.startswith(("knowledge/", "data/", "tests/stories/")) or rel in (
            *RASA_FORMAT_SETS,
            "domain.yml",
            "interface_texts.yml",
            "config.yml",
        )

    def message_lines(self, rel: str, count: int) -> list[int]:
        """Line of each `- text:` item of a labelled set (custom format), in order."""
        text = (self.root / rel).read_text(encoding="utf-8")
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*- text:", line)]
        return lines if len(lines) == count else [1] * count

    def yaml_files(self) -> list[Path]:
        files = [self.root / name for name in YAML_FILES if (self.root / name).exists()]
        files += sorted(self.root.glob("config*.yml"))
        for folder in YAML_FOLDERS:
            files += sorted(p for p in (self.root / folder).rglob("*.yml") if "node_modules" not in p.parts)
        return files

    # -- 1. YAML ------------------------------------------------------------------
    def stage_yaml(self) -> None:
        for name in REQUIRED_FILES:
            self.load(self.root / name)
        files = self.yaml_files()
        for path in files:
            self.load(path)
        self.report.ran.append(f"{STAGES['yaml']} ({len(set(files))} Dateien)")

    # -- 2. the fact store -------------------------------------------------------------
    def stage_knowledge(self) -> None:
        broken = [f"knowledge/{name}" for name in KNOWLEDGE_FILES if f"knowledge/{name}" in self.broken]
        broken += sorted(b for b in self.broken if b.startswith("knowledge/claims/"))
        if broken:
            why = f"{', '.join(broken)} kein gültiges YAML ist (siehe oben)"
            for stage in ("knowledge", "content"):
                self.report.skipped.append((STAGES[stage], why))
            return
        from bot.content import knowledge

        loader = knowledge._Loader((self.root / "knowledge").resolve())
        try:
            self.kb = loader.load()
        except Exception as error:  # a shape the loader does not expect: say so, never crash
            self.add(
                "knowledge/:1",
                f"der Faktenspeicher lässt sich nicht laden ({type(error).__name__}: {error})",
                "vergleichen Sie die zuletzt geänderte Datei mit einer anderen derselben Art",
            )
            self.report.skipped.append((STAGES["content"], "der Faktenspeicher nicht geladen werden konnte"))
            return
        self.loader_problems = loader.problems
        self.report.problems.extend(self.refine_loader_problems(loader.problems))
        self.report.ran.append(STAGES["knowledge"])

    def refine_loader_problems(self, problems: list[str]) -> list[str]:
        """The loader's lines, with clearer words where a YAML shape mistake hides behind them."""
        refined: list[str] = []
        hidden: dict[str, list[str]] = {}  # claim id -> messages that replace the loader's
        for path in [
            self.root / "knowledge" / "general.yml",
            *sorted((self.root / "knowledge" / "claims").glob("*.yml")),
        ]:
            document = self.load(path)
            owner = (
                "allgemein"
                if path.name == "general.yml"
                else str(document.get("therapy", path.stem))
                if isinstance(document, CommentedMap)
                else path.stem
            )
            items = document.get("claims") if isinstance(document, CommentedMap) else None
            for node in items if isinstance(items, CommentedSeq) else ():
                if not isinstance(node, CommentedMap):
                    continue
                claim_id = f"{owner}.{node.get('id')}"
                for key in ("text", "quote"):
                    value = node.get(key)
                    slipped = (
                        re.search(rf"(?:^|\s)({'|'.join(CLAIM_KEYS)}):(?:\s|$)", value)
                        if isinstance(value, str)
                        else None
                    )
                    if slipped:
                        where = f"{self.rel(path)}:{node.lc.key(key)[0] + 1}"
                        hidden.setdefault(claim_id, []).append(
                            problem(
                                where,
                                f"in '{key}:' der Aussage '{claim_id}' steht „{slipped.group(1)}: …“: die Zeile "
                                f"'{slipped.group(1)}:' ist so weit eingerückt wie der Text und gehört deshalb zu ihm",
                                f"rücken Sie '{slipped.group(1)}:' genauso weit ein wie '{key}:' "
                                f"({node.lc.key(key)[1]} Leerzeichen)",
                            )
                        )
                section = node.get("section")
                if "sections" in node and "section" not in node:
                    value = node["sections"]
                    first = value[0] if isinstance(value, list) and value else value
                    hidden.setdefault(claim_id, []).append(
                        problem(
                            f"{self.rel(path)}:{node.lc.key('sections')[0] + 1}",
                            f"die Aussage '{claim_id}' nennt ihren Abschnitt mit 'sections:'; der Schlüssel heißt "
                            f"'section:' (ein Abschnitt je Aussage)",
                            f"schreiben Sie 'section: {first}'",
                        )
                    )
                if isinstance(section, list):
                    where = f"{self.rel(path)}:{node.lc.key('section')[0] + 1}"
                    fix = (
                        f"schreiben Sie 'section: {section[0]}' ohne eckige Klammern"
                        if len(section) == 1
                        else "eine Aussage hat genau einen Abschnitt: teilen Sie sie in zwei Aussagen"
                    )
                    hidden.setdefault(claim_id, []).append(
                        problem(where, f"'section:' der Aussage '{claim_id}' ist eine Liste", fix)
                    )
        for line in problems:
            if "ist kein gültiges YAML" in line:
                continue  # stage 1 explains it better
            if "hat kein 'quote'" in line:
                continue  # the content rules report it (tools/content_rules.py)
            claim = re.search(r"Aussage '([\w.]+)'", line)
            if claim and claim.group(1) in hidden:
                continue
            missing = re.search(r"gibt es keine Datei knowledge/claims/(\w+)\.yml", line)
            if missing:
                therapy = missing.group(1)
                where = line.split(": ", 1)[0]
                refined.append(
                    problem(
                        where,
                        f"zur Behandlung '{therapy}' fehlt die Datei knowledge/claims/{therapy}.yml mit ihren "
                        f"Aussagen",
                        f"legen Sie die Datei an: kopieren Sie die Vorlage aus docs/EDITING.md (Abschnitt "
                        f"„Eine neue Behandlung“, Schritt 3) nach knowledge/claims/{therapy}.yml und schreiben Sie "
                        f"nur, was die Seite über die Behandlung sagt",
                    )
                )
                continue
            refined.append(line)
        for messages in hidden.values():
            refined.extend(messages)
        return refined

    # -- 3. content rules --------------------------------------------------------------
    def stage_content(self) -> None:
        if self.kb is None:
            return
        from tools import content_rules

        self.report.problems.extend(content_rules.check_knowledge(self.kb, self.root))
        if not self.loader_problems and "interface_texts.yml" not in self.broken:
            from bot.texts import load_texts

            texts = load_texts(self.root / "interface_texts.yml")
            self.report.problems.extend(content_rules.check_answers(self.kb, texts, self.root))
        documents = {name: self.doc(name) for name in ("domain.yml", "interface_texts.yml", "knowledge/safety.yml")}
        self.report.problems.extend(content_rules.check_other_texts(self.root, documents, self.kb.disclaimer))
        self.report.ran.append(STAGES["content"])

    # -- 4. word lists -----------------------------------------------------------------
    def stage_patterns(self) -> None:
        checked = []
        for rel, groups, rules in self.pattern_places():
            if rel in self.broken:
                self.report.skipped.append((f"{STAGES['patterns']} in {rel}", f"{rel} kein gültiges YAML ist"))
                continue
            checked.append(rel)
            for node, key in groups:
                self.check_group(rel, node, key)
            for node, key in rules:
                value = node.get(key) if isinstance(node, CommentedMap) else node[key]
                if isinstance(value, CommentedSeq):
                    for index, rule in enumerate(value):
                        if isinstance(rule, CommentedSeq) and rule and all(isinstance(g, CommentedSeq) for g in rule):
                            for group_index in range(len(rule)):
                                self.check_group(rel, rule, group_index)
                        else:
                            self.check_group(rel, value, index)
        self.check_dialect()
        self.check_language()
        if checked:
            self.report.ran.append(STAGES["patterns"])

    def check_dialect(self) -> None:
        """knowledge/dialect.yml: `words:`, each standard word with a list of single words."""
        rel = "knowledge/dialect.yml"
        document = self.doc(rel)
        if rel in self.broken or document is None:
            return
        words = document.get("words") if isinstance(document, CommentedMap) else None
        if not isinstance(words, CommentedMap):
            self.add(f"{rel}:1", "es fehlt der Abschnitt 'words:'", "schreiben Sie 'words:' und darunter 'wie: [wia]'")
            return
        for standard, forms in words.items():
            line = words.lc.key(standard)[0] + 1
            if not isinstance(forms, CommentedSeq) or not all(
                isinstance(f, str) and re.fullmatch(r"[^\W\d_]+", f) for f in forms
            ):
                self.add(
                    f"{rel}:{line}",
                    f"zu '{standard}' gehört eine Liste einzelner Wörter ohne Leerzeichen, Ziffern oder *",
                    f"schreiben Sie zum Beispiel '{standard}: [wort1, wort2]'",
                )

    def check_language(self) -> None:
        """knowledge/language.yml: each of its word lists present, a list of single words."""
        rel = "knowledge/language.yml"
        document = self.doc(rel)
        if rel in self.broken or document is None:
            return
        for section in (
            "sentence_starts",
            "abbreviations",
            "question_words",
            "question_leads",
            "question_verbs",
            "negators",
            "not_meant",
            "not_names",
            "function_words",
        ):
            words = document.get(section) if isinstance(document, CommentedMap) else None
            if not isinstance(words, CommentedSeq) or not words:
                self.add(
                    f"{rel}:1",
                    f"es fehlt die Liste '{section}:'",
                    f"schreiben Sie '{section}: [wort1, wort2]' (siehe die Erklärung über den anderen Listen)",
                )
                continue
            for index, word in enumerate(words):
                if not (isinstance(word, str) and re.fullmatch(r"[^\W\d_]+", word)):
                    line = words.lc.item(index)[0] + 1
                    self.add(
                        f"{rel}:{line}",
                        f"'{word}' in '{section}' ist kein einzelnes Wort",
                        "schreiben Sie ein Wort ohne Leerzeichen, Ziffern, Punkt oder *",
                    )

    def pattern_places(self) -> Iterator[tuple[str, list[tuple[Any, Any]], list[tuple[Any, Any]]]]:
        """(file, groups, rule lists) of every word list; a group is (node, key) of a list of patterns."""

        details = self.doc("knowledge/details.yml")
        entries = [entry for entry in mapping(details, "details").values() if isinstance(entry, CommentedMap)]
        groups = [(entry, "words") for entry in entries] + [(entry, "unless") for entry in entries if "unless" in entry]
        groups += [(mapping(details, "premises"), key) for key in mapping(details, "premises")]
        groups += [(mapping(details, "aspects"), key) for key in mapping(details, "aspects")]
        groups += [
            (details, key)
            for key in ("idioms", "agreement_tags", "personal", "not_personal")
            if isinstance(details, CommentedMap) and key in details
        ]
        yield "knowledge/details.yml", groups, []

        language = self.doc("knowledge/language.yml")
        if isinstance(language, CommentedMap) and "indirect_questions" in language:
            yield "knowledge/language.yml", [(language, "indirect_questions")], []

        therapies = self.doc("knowledge/therapies.yml")
        groups = [
            (entry, key)
            for entry in mapping(therapies, "therapies").values()
            for key in ("in_group_words", "shared_words")
            if isinstance(entry, CommentedMap) and key in entry
        ]
        for key in ("both_words", "compared_words", "group_and_member_words"):
            if isinstance(therapies, CommentedMap) and key in therapies:
                groups.append((therapies, key))
        descriptions = mapping(therapies, "descriptions")
        yield "knowledge/therapies.yml", groups, [(descriptions, key) for key in descriptions]

        safety = self.doc("knowledge/safety.yml")
        groups = [
            (safety, key)
            for key in (
                "report",
                "hypothetical",
                "now",
                "not_now",
                "mention_only",
                "crisis_told",
                "not_me",
                "asks_for_signs",
                "whole_fillers",
            )
            if isinstance(safety, CommentedMap) and key in safety
        ]
        rules = [
            (safety, key)
            for key in ("asks_for_signs_in_a_sentence",)
            if isinstance(safety, CommentedMap) and key in safety
        ]
        for sign in mapping(safety, "signs").values():
            if isinstance(sign, CommentedMap):
                groups += [(sign, key) for key in ("alone", "unless", "whole") if key in sign]
                rules += [(sign, key) for key in ("together", "together_in_a_sentence") if key in sign]
        yield "knowledge/safety.yml", groups, rules

        scope = self.doc("knowledge/scope.yml")
        keys = (
            "back",
            "injection",
            "off_topic",
            "domain",
            "context_words",
            "own_name",
            "past_words",
            "own_back",
            "privacy_words",
            "follow_up_openers",
            "follow_up_leads",
            "aspect_only_fillers",
            "question_openers",
            "personal_cues",
            "personal_questions",
            "personal_situation",
            "not_personal_questions",
            "other_than_cues",
            "joining_words",
            "treatment_words",
            "side_effect_words",
            "side_effect_after",
            "session_words",
            "greetings",
            "greeting_fillers",
            "thanks_openers",
            "thanks_fillers",
            "goodbyes",
            "goodbye_fillers",
            "acknowledgements",
            "naming_phrases",
        )
        groups = [(scope, key) for key in keys if isinstance(scope, CommentedMap) and key in scope]
        rules = []
        for topic in mapping(scope, "topics").values():
            if isinstance(topic, CommentedMap):
                # an unknown kind would never be declined: the guard knows only these
                if "kind" in topic and topic["kind"] not in TOPIC_KINDS:
                    self.add(
                        f"knowledge/scope.yml:{topic.lc.key('kind')[0] + 1}",
                        f"die Art '{topic['kind']}' gibt es nicht",
                        "nehmen Sie eine von: " + ", ".join(TOPIC_KINDS) + " (erklärt oben in der Datei)",
                    )
                groups += [(topic, key) for key in ("alone", "unless") if key in topic]
                rules += [(topic, "together")] if "together" in topic else []
        for request in mapping(scope, "requests").values():
            if isinstance(request, CommentedMap):
                groups += [(request, key) for key in ("asks", "whom", "looking", "not_after") if key in request]
        needs = mapping(scope, "intents_need_words")
        groups += [(needs, key) for key in needs]
        circumstance = mapping(scope, "circumstance")
        groups += [
            (circumstance, key) for key in ("target_words", "state_target_words", "ask_words") if key in circumstance
        ]
        yield "knowledge/scope.yml", groups, rules

    def check_group(self, rel: str, node: Any, key: Any) -> None:
        value = node[key] if isinstance(node, CommentedSeq) else node.get(key)
        items = value if isinstance(value, CommentedSeq) else [value]
        for index, item in enumerate(items):
            if isinstance(value, CommentedSeq):
                line = value.lc.item(index)[0] + 1
            elif isinstance(node, CommentedMap):
                line = node.lc.key(key)[0] + 1
            else:
                line = node.lc.item(key)[0] + 1
            where = f"{rel}:{line}"
            if isinstance(item, (CommentedMap, dict)):
                self.add(
                    where,
                    "in der Wortliste steht ein Eintrag mit Doppelpunkt (YAML liest ihn als Schlüssel: Wert)",
                    'setzen Sie das Muster in Anführungszeichen: "wort: wort" – oder lassen Sie den Doppelpunkt weg',
                )
                continue
            if isinstance(item, (CommentedSeq, list)):
                self.add(
                    where,
                    "in der Wortliste steht eine Liste in der Liste",
                    'schreiben Sie die Wörter einer Gruppe in eine Liste: [wort, wort*, "wort ... wort"]',
                )
                continue
            if item is None:
                self.add(
                    where, "in der Wortliste steht ein leerer Eintrag", "streichen Sie ihn oder schreiben Sie ein Wort"
                )
                continue
            try:
                compile_pattern(str(item))
            except PatternError as error:
                self.add(
                    where,
                    f"das Muster ist ungültig: {error}",
                    "erlaubt sind Wörter aus Buchstaben und Ziffern, * am Anfang oder Ende eines Wortes und "
                    "„...“ zwischen zwei Wörtern (components/matching.py; docs/EDITING.md, „Wortlisten“)",
                )

    # -- 5. training data and test sets ---------------------------------------------------
    def therapy_ids(self) -> list[str]:
        if self.kb is not None and self.kb.therapies:
            return list(self.kb.therapies)
        therapies = self.doc("knowledge/therapies.yml")
        nodes = therapies.get("therapies") if isinstance(therapies, CommentedMap) else None
        return [str(t) for t in nodes] if isinstance(nodes, CommentedMap) else []

    def therapy_line(self, therapy: str) -> str:
        therapies = self.doc("knowledge/therapies.yml")
        nodes = therapies.get("therapies") if isinstance(therapies, CommentedMap) else None
        if isinstance(nodes, CommentedMap) and therapy in nodes:
            return f"knowledge/therapies.yml:{nodes.lc.key(therapy)[0] + 1}"
        return "knowledge/therapies.yml:1"

    def nlu_blocks(self, rels: list[str]) -> Iterator[tuple[str, CommentedMap]]:
        for rel in rels:
            document = self.doc(rel)
            blocks = document.get("nlu") if isinstance(document, CommentedMap) else None
            for block in blocks if isinstance(blocks, CommentedSeq) else ():
                if isinstance(block, CommentedMap):
                    yield rel, block

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
            if isinstance(data, dict) and data.get("entity") == "therapy":
                values.append((match["text"], str(data.get("value", match["text"]))))
        return values

    def unknown_therapy(self, where: str, value: str, how: str) -> None:
        self.add(
            where,
            f"'{value}' ist keine Kennung einer Behandlung",
            f"{how}, mit einer Kennung aus knowledge/therapies.yml: {', '.join(self.therapy_ids())}",
        )

    @staticmethod
    def name_key(form: str) -> str:
        """How the name finder compares names: case, umlauts (ä = ae = a), hyphens and spaces do not count."""
        return re.sub(r"[^a-z0-9€]", "", fold(form))

    def data_files(self) -> list[str]:
        return [self.rel(p) for p in sorted((self.root / "data").rglob("*.yml"))]

    def stage_training(self) -> None:
        ids = self.therapy_ids()
        if not ids:
            self.report.skipped.append((STAGES["training"], "knowledge/therapies.yml keine Behandlungen liefert"))
            return
        broken = [rel for rel in self.data_files() + ["domain.yml"] if rel in self.broken]
        if broken:
            self.report.notes.append(
                f"Trainingsdaten: {', '.join(broken)} ausgelassen (kein gültiges YAML, siehe oben)"
            )
        names = self.check_names(ids)
        self.name_owner = self.unique_owners(names)
        self.check_examples(ids, names)
        self.check_domain(ids)
        self.check_test_sets(ids, names)
        self.report.ran.append(STAGES["training"])

    def check_names(self, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        """Names per therapy from data/therapy_names.yml: therapy -> [(form, where)]."""
        names: dict[str, list[tuple[str, str]]] = {}
        seen: dict[str, tuple[str, str, str]] = {}  # name key -> (therapy, form, where)
        synonym_files = [rel for rel in self.data_files() if rel not in self.broken]
        for rel, block in self.nlu_blocks(synonym_files):
            if "synonym" not in block:
                continue
            therapy = str(block["synonym"])
            if therapy not in ids:
                self.add(
                    f"{rel}:{block.lc.line + 1}",
                    f"Namen für die unbekannte Behandlung '{therapy}'",
                    f"tragen Sie '{therapy}' in knowledge/therapies.yml ein oder nehmen Sie eine dieser Kennungen: "
                    f"{', '.join(ids)}",
                )
                continue
            for line, form in self.example_lines(block):
                where = f"{rel}:{line}"
                key = self.name_key(form)
                names.setdefault(therapy, []).append((form, where))
                if key in seen and seen[key][0] != therapy:
                    other, other_form, other_where = seen[key]
                    same = (
                        ""
                        if other_form == form
                        else f" (als „{other_form}“; Groß-/Kleinschreibung, Umlaute, Bindestriche und Leerzeichen zählen nicht)"
                    )
                    self.add(
                        where,
                        f"„{form}“ ist ein Name von '{therapy}' und auch von '{other}' ({other_where}){same}",
                        "ein Name darf nur zu einer Behandlung gehören: streichen Sie ihn bei der falschen",
                    )
                seen.setdefault(key, (therapy, form, where))
        if "data/therapy_names.yml" in self.broken:
            return names
        for therapy in ids:
            if therapy not in names:
                self.add(
                    self.therapy_line(therapy),
                    f"zur Behandlung '{therapy}' stehen keine Namen in data/therapy_names.yml",
                    f"legen Sie dort einen Block an: '- synonym: {therapy}', darunter 'examples: |' und je Zeile "
                    f"'- Name' (Name, Mehrzahl, Tippfehler, Alltagswörter)",
                )
                continue
            if self.kb is not None and therapy in self.kb.therapies:
                official = self.kb.therapies[therapy].name
                if self.name_key(official) not in {self.name_key(f) for f, _ in names[therapy]}:
                    self.add(
                        names[therapy][0][1],
                        f"der Name „{official}“ aus knowledge/therapies.yml fehlt unter '- synonym: {therapy}'",
                        f"ergänzen Sie die Zeile '    - {official}'",
                    )
        return names

    def unique_owners(self, names: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[str, str]]:
        """name key -> (therapy, where) for names listed under one therapy only (a name under two is
        reported by check_names, not again for every example that uses it)."""
        owners: dict[str, set[str]] = {}
        first: dict[str, tuple[str, str]] = {}
        for therapy, forms in names.items():
            for form, where in forms:
                key = self.name_key(form)
                owners.setdefault(key, set()).add(therapy)
                first.setdefault(key, (therapy, where))
        return {key: owner for key, owner in first.items() if len(owners[key]) == 1}

    def safety_guard(self) -> SafetyGuard | None:
        """The safety guard with the word lists of knowledge/safety.yml (None if that file is broken;
        stage 4 names its problems)."""
        lists = self.doc("knowledge/safety.yml")
        if not isinstance(lists, CommentedMap):
            return None
        try:
            return SafetyGuard({"file": "knowledge/safety.yml"}, None, None, lists)
        except (PatternError, KeyError, TypeError, ValueError):
            return None

    @staticmethod
    def crisis_signs(guard: SafetyGuard, lists: bytes, text: str) -> list[str]:
        """The words of the crisis signs in a training example where the safety guard answers it with
        the crisis reply (as it does whatever the classifier says), so an example of another
        intent would only teach the classifier that despair is a question about a treatment."""
        # some seconds for all examples (matching._could_match skips most patterns); kept per text
        # and word lists for the tests that run the check on many copies of the same data
        key = (lists, text)
        if key not in _CRISIS_FINDINGS:
            _CRISIS_FINDINGS[key] = Checker._crisis_signs(guard, text)
        return _CRISIS_FINDINGS[key]

    @staticmethod
    def _crisis_signs(guard: SafetyGuard, text: str) -> list[str]:
        # the crisis signs alone first: most examples have none, and the other signs are only
        # needed where one is found (a crisis sign always counts as reported)
        tokens = tokenize(text)
        if not any(sign.find(tokens) is not None for sign in guard.signs if sign.tier == CRISIS_TIER):
            return []
        reported, _, tokens = guard.signs_in(text)
        if not reported or any(sign.tier != CRISIS_TIER for sign, _ in reported):
            return []  # none, or an emergency beside it ("Sturz vom Dach"): the warning signs come first
        return [text[tokens[match.first].start : tokens[match.last].end] for _, match in reported]

    def check_examples(self, ids: list[str], names: dict[str, list[tuple[str, str]]]) -> None:
        files = [rel for rel in self.data_files() if rel not in self.broken]
        name_owner = self.name_owner
        annotated: set[str] = set()
        by_key: dict[str, list[tuple[str, str, str]]] = {}  # near-duplicate key -> [(intent, text, where)]
        crisis_guard = self.safety_guard()
        safety_lists = (self.root / "knowledge" / "safety.yml").read_bytes() if crisis_guard is not None else b""
        for rel, block in self.nlu_blocks(files):
            if "intent" not in block:
                continue
            intent = str(block["intent"])
            for line, example in self.example_lines(block):
                where = f"{rel}:{line}"
                for text, value in self.therapy_values(example):
                    if value not in ids:
                        self.unknown_therapy(
                            where, value, 'schreiben Sie [Wort]{"entity": "therapy", "value": "kennung"}'
                        )
                        continue
                    annotated.add(value)
                    owner = name_owner.get(self.name_key(text))
                    if owner is not None and owner[0] != value:
                        self.add(
                            where,
                            f"„{text}“ ist hier als '{value}' markiert, in data/therapy_names.yml aber ein Name von "
                            f"'{owner[0]}' ({owner[1]})",
                            "nehmen Sie an beiden Stellen dieselbe Behandlung",
                        )
                plain = ANNOTATION.sub(lambda m: m["text"], example).strip()
                if intent != CRISIS and crisis_guard is not None:
                    signs = self.crisis_signs(crisis_guard, safety_lists, plain)
                    if signs:
                        self.add(
                            where,
                            f"der Satz steht unter '{intent}', enthält aber ein Zeichen einer Krise "
                            f"(„{signs[0]}“, knowledge/safety.yml); der Bot antwortet darauf mit dem Krisenhinweis, "
                            "das Modell lernte hier etwas anderes",
                            "schreiben Sie den Satz ohne diese Worte oder stellen Sie ihn unter 'crisis'",
                        )
                key = " ".join(re.sub(r"[^\w€ ]", " ", fold(plain)).split())
                by_key.setdefault(key, []).append((intent, plain, where))
        for entries in by_key.values():
            intents = {intent for intent, _, _ in entries}
            texts = {text for _, text, _ in entries}
            if len(intents) > 1 and len(texts) > 1:  # exact repeats: Rasa's own check (stage 6)
                (first_intent, first_text, first_where), *others = entries
                listed = ", ".join(f"'{i}' („{t}“, {w})" for i, t, w in others if i != first_intent)
                self.add(
                    first_where,
                    f"der Beispielsatz „{first_text}“ steht unter '{first_intent}' und fast gleich auch unter {listed}",
                    "ein Satz darf nur unter einer Absicht stehen: löschen Sie ihn dort, wo er nicht hingehört",
                )
        if "data/nlu.yml" in self.broken:
            return
        for therapy in ids:
            if therapy not in annotated:
                self.add(
                    self.therapy_line(therapy),
                    f"keine Beispielfrage in data/ nennt die Behandlung '{therapy}'",
                    f"ergänzen Sie in data/nlu.yml unter jeder Absicht (ask_effectiveness, ask_risks, ask_costs, "
                    f'ask_method) Fragen wie \'- hilft [Name]{{"entity": "therapy", "value": "{therapy}"}}?\'',
                )

    def check_domain(self, ids: list[str]) -> None:
        domain = self.doc("domain.yml")
        if not isinstance(domain, CommentedMap):
            return
        slot = (domain.get("slots") or {}).get("therapy") or {}
        slot_line = slot.lc.key("values")[0] + 1 if isinstance(slot, CommentedMap) and "values" in slot else 1
        values = [str(v) for v in slot.get("values") or []] if isinstance(slot, CommentedMap) else []
        for missing in [t for t in ids if t not in values]:
            self.add(
                f"domain.yml:{slot_line}",
                f"dem Slot 'therapy' fehlt der Wert '{missing}'",
                f"ergänzen Sie unter slots > therapy > values die Zeile '      - {missing}'",
            )
        for extra in [v for v in values if v not in ids]:
            self.add(
                f"domain.yml:{slot_line}",
                f"der Slot 'therapy' hat den Wert '{extra}', den es in knowledge/therapies.yml nicht gibt",
                "tragen Sie die Behandlung dort ein oder streichen Sie den Wert",
            )
        responses = domain.get("responses") if isinstance(domain.get("responses"), CommentedMap) else {}
        actions = domain.get("actions") if isinstance(domain.get("actions"), list) else []
        known_actions = set(actions) | set(responses) | RASA_DEFAULT_ACTIONS
        intents = domain.get("intents") if isinstance(domain.get("intents"), list) else []
        known_intents = {str(next(iter(i)) if isinstance(i, dict) else i) for i in intents} | RASA_DEFAULT_INTENTS
        self.check_buttons(responses, known_intents, ids)
        self.check_details_to_intents(known_intents)
        flow_files = [rel for rel in self.data_files() if rel not in self.broken]
        flow_files += [self.rel(p) for p in sorted((self.root / "tests" / "stories").glob("*.yml"))]
        for rel in flow_files:
            document = self.doc(rel)
            if not isinstance(document, CommentedMap):
                continue
            for key in ("rules", "stories"):
                for flow in document.get(key) or []:
                    steps = flow.get("steps") if isinstance(flow, CommentedMap) else None
                    for step in steps or []:
                        if isinstance(step, CommentedMap):
                            self.check_step(rel, step, known_actions, known_intents, ids)

    def check_details_to_intents(self, known_intents: set) -> None:
        """knowledge/scope.yml maps details to intents: a misspelled detail would never match, a
        misspelled intent would leave the person without an answer."""

        scope = self.doc("knowledge/scope.yml")
        details = mapping(self.doc("knowledge/details.yml"), "details")
        known_details = set(details)
        for key in ("fallback_by_detail", "unsure_by_detail", "overview_by_detail", "alone_by_detail"):
            entries = mapping(scope, key)
            for detail, intent in entries.items():
                where = f"knowledge/scope.yml:{entries.lc.key(detail)[0] + 1}"
                if str(detail) not in known_details:
                    self.add(
                        where,
                        f"das Detail '{detail}' gibt es in knowledge/details.yml nicht",
                        "nehmen Sie den Namen eines Details unter details: in knowledge/details.yml",
                    )
                if str(intent) not in known_intents:
                    self.add(
                        where,
                        f"die Absicht '{intent}' gibt es in domain.yml nicht",
                        "nehmen Sie eine Absicht aus domain.yml > intents",
                    )
                entry = details.get(str(detail))
                aspect = entry.get("aspect") if isinstance(entry, CommentedMap) else None
                if (
                    key == "unsure_by_detail"
                    and str(intent) in known_intents
                    and aspect in INTENT_BY_ASPECT
                    and INTENT_BY_ASPECT[aspect] != intent
                ):
                    # the two files would answer the same question with different aspects
                    self.add(
                        where,
                        f"das Detail '{detail}' gehört in knowledge/details.yml zum Aspekt '{aspect}', hier zu '{intent}'",
                        f"schreiben Sie '{detail}: {INTENT_BY_ASPECT[aspect]}'",
                    )

    def check_step(self, rel: str, step: CommentedMap, known_actions: set, known_intents: set, ids: list[str]) -> None:
        where = f"{rel}:{step.lc.line + 1}"
        if "action" in step and step["action"] not in known_actions:
            self.add(
                where,
                f"die Aktion '{step['action']}' steht nicht in domain.yml",
                "korrigieren Sie den Namen, oder ergänzen Sie sie in domain.yml unter 'responses:' (utter_…) "
                "oder 'actions:'",
            )
        intents = [step["intent"]] if "intent" in step else []
        intents += [alt["intent"] for alt in step.get("or") or [] if isinstance(alt, CommentedMap) and "intent" in alt]
        for intent in intents:
            if intent not in known_intents:
                self.add(
                    where,
                    f"die Absicht '{intent}' steht nicht in domain.yml",
                    "korrigieren Sie den Namen, oder ergänzen Sie sie in domain.yml unter 'intents:'",
                )
        values = [e.get("therapy") for e in step.get("entities") or [] if isinstance(e, CommentedMap)]
        values += [s.get("therapy") for s in step.get("slot_was_set") or [] if isinstance(s, CommentedMap)]
        for value in values:
            if value is not None and value not in ids:
                self.unknown_therapy(where, str(value), "schreiben Sie 'therapy: kennung'")
        if isinstance(step.get("user"), str):
            for _, value in self.therapy_values(step["user"]):
                if value not in ids:
                    self.unknown_therapy(where, value, 'schreiben Sie [Wort]{"entity": "therapy", "value": "kennung"}')

    def check_buttons(self, responses: Any, known_intents: set, ids: list[str]) -> None:
        for name, variants in responses.items():
            for variant in variants or []:
                buttons = variant.get("buttons") if isinstance(variant, CommentedMap) else None
                for button in buttons or []:
                    if not isinstance(button, CommentedMap):
                        continue
                    where = f"domain.yml:{button.lc.line + 1}"
                    written = str(button.get("payload", ""))
                    if re.search(r"[{}]", written.replace("{{", "").replace("}}", "")):
                        self.add(
                            where,
                            f"die payload eines Buttons von '{name}' hat einfache geschweifte Klammern; Rasa "
                            "liest {…} in einer Antwort als Platzhalter",
                            'schreiben Sie die Klammern doppelt: "/absicht{{"therapy": "kennung"}}"',
                        )
                        continue
                    match = PAYLOAD.match(written.replace("{{", "{").replace("}}", "}"))
                    if match is None:
                        self.add(
                            where,
                            f"ein Button von '{name}' hat keine gültige 'payload'",
                            'schreiben Sie payload: "/absicht" oder "/absicht{{"therapy": "kennung"}}"',
                        )
                        continue
                    if match["intent"] not in known_intents:
                        self.add(
                            where,
                            f"ein Button von '{name}' sendet die unbekannte Absicht '{match['intent']}'",
                            "korrigieren Sie die payload oder ergänzen Sie die Absicht in domain.yml unter 'intents:'",
                        )
                    try:
                        slots = json.loads(match["json"]) if match["json"] else {}
                    except json.JSONDecodeError:
                        self.add(
                            where,
                            f"der {{…}}-Teil eines Buttons von '{name}' ist kein gültiges JSON",
                            'schreiben Sie ihn mit doppelten Anführungszeichen: {"therapy": "akupunktur"}',
                        )
                        continue
                    value = slots.get("therapy") if isinstance(slots, dict) else None
                    if value is not None and value not in ids:
                        self.unknown_therapy(where, str(value), 'schreiben Sie {"therapy": "kennung"}')

    # the held-out and development sets
    def name_finder(self, names: dict[str, list[tuple[str, str]]]) -> NameFinder:
        finder = NameFinder()
        for therapy, forms in names.items():
            for form, _ in forms:
                finder.add(therapy, form)
        if self.kb is not None:
            for therapy in self.kb.therapies.values():
                finder.add(therapy.id, therapy.name)
        return finder

    @staticmethod
    def named(text: str, finder: NameFinder) -> dict[str, str]:
        return finder.find(text)

    def check_test_sets(self, ids: list[str], names: dict[str, list[tuple[str, str]]]) -> None:
        """Sets that name a treatment they never label still call its questions something else."""
        finder = self.name_finder(names)
        for rel in LABELLED_SETS:
            document = self.doc(rel)
            messages = document.get("messages") if isinstance(document, dict) else None
            if not isinstance(messages, list):
                continue
            lines = self.message_lines(rel, len(messages))
            labelled = {str(t) for m in messages if isinstance(m, dict) for t in m.get("therapy") or []}
            for index, message in enumerate(messages):
                if not isinstance(message, dict):
                    continue
                where = f"{rel}:{lines[index]}"
                therapies = [str(t) for t in message.get("therapy") or []]
                for value in therapies:
                    if value not in ids:
                        self.unknown_therapy(where, value, "schreiben Sie 'therapy: [kennung]'")
                for therapy, form in self.named(str(message.get("text", "")), finder).items():
                    if therapy in labelled or therapy in therapies:
                        continue
                    intent = message.get("intent")
                    self.add(
                        where,
                        f"die Nachricht nennt „{form}“ (Behandlung '{therapy}'), ist aber als '{intent}' ohne diese "
                        f"Behandlung markiert; keine Nachricht dieses Satzes trägt bisher 'therapy: [{therapy}]'",
                        f"seit '{therapy}' in knowledge/therapies.yml steht, beantwortet der Bot solche Fragen: "
                        f"setzen Sie die passende Absicht (z. B. ask_effectiveness), 'therapy: [{therapy}]' und "
                        f"'answer: [[{therapy}, wirksamkeit]]' (Aspekt passend zur Frage)",
                    )
        owner = self.name_owner
        for rel in RASA_FORMAT_SETS:
            if self.doc(rel) is None:
                continue
            blocks = list(self.nlu_blocks([rel]))
            labelled = {
                value
                for _, block in blocks
                if "intent" in block
                for _, example in self.example_lines(block)
                for _, value in self.therapy_values(example)
            }
            for _, block in blocks:
                if "intent" not in block:
                    continue
                for line, example in self.example_lines(block):
                    where = f"{rel}:{line}"
                    values = self.therapy_values(example)
                    for text, value in values:
                        if value not in ids:
                            self.unknown_therapy(
                                where, value, 'schreiben Sie [Wort]{"entity": "therapy", "value": "kennung"}'
                            )
                            continue
                        listed = owner.get(self.name_key(text))
                        if listed is not None and listed[0] != value:
                            self.add(
                                where,
                                f"„{text}“ ist hier als '{value}' markiert, in data/therapy_names.yml aber ein Name "
                                f"von '{listed[0]}'",
                                f'markieren Sie es als \'{listed[0]}\' ([{text}]{{"entity": "therapy", "value": '
                                f'"{listed[0]}"}}) oder ändern Sie data/therapy_names.yml',
                            )
                    plain = ANNOTATION.sub("", example)  # only the words outside an annotation
                    for therapy, form in self.named(plain, finder).items():
                        if therapy in labelled or therapy in {v for _, v in values}:
                            continue
                        self.add(
                            where,
                            f"das Beispiel nennt „{form}“ (Behandlung '{therapy}') ohne Markierung, unter "
                            f"'{block['intent']}'; kein Beispiel dieser Datei markiert bisher '{therapy}'",
                            f'markieren Sie den Namen ([{form}]{{"entity": "therapy", "value": "{therapy}"}}) '
                            f"und verschieben Sie das Beispiel unter die passende Absicht (z. B. ask_effectiveness)",
                        )

    # -- 7. readability ------------------------------------------------------------------
    def stage_readability(self) -> None:
        from tools import readability

        kb = self.kb if self.kb is not None and not self.loader_problems else None
        if self.kb is not None and self.loader_problems:
            self.report.skipped.append(
                ("Lesbarkeit der Antworten aus knowledge/", "der Faktenspeicher Fehler hat (siehe oben)")
            )
        elif self.kb is None:
            self.report.skipped.append(
                ("Lesbarkeit der Antworten aus knowledge/", "der Faktenspeicher nicht geladen wurde")
            )
        texts = None
        if kb is not None and "interface_texts.yml" not in self.broken:
            from bot.texts import load_texts

            texts = load_texts(self.root / "interface_texts.yml")
        elif kb is not None:
            kb = None
            self.report.skipped.append(("Lesbarkeit der Antworten aus knowledge/", "interface_texts.yml kaputt ist"))
        scored = readability.score_all(kb, self.root, texts)
        self.report.problems.extend(readability.problems(scored))
        self.report.notes.append(readability.summary(scored))
        self.report.ran.append(f"{STAGES['readability']} ({len(scored)} Texte)")

    # -- all ----------------------------------------------------------------------------
    def start_rasa(self) -> subprocess.Popen | None:
        needed = ["config.yml", "domain.yml", *self.data_files()]
        broken = [rel for rel in needed if rel in self.broken]
        if broken:
            self.report.skipped.append((STAGES["rasa"], f"{', '.join(broken)} kein gültiges YAML ist (siehe oben)"))
            return None
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"}
        return subprocess.Popen(
            [sys.executable, "-m", "tools.validate", "--root", str(self.root), "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish_rasa(self, process: subprocess.Popen | None) -> None:
        if process is None:
            return
        out, err = process.communicate()
        try:
            result = json.loads(out.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            last = (err.strip().splitlines() or ["keine Ausgabe"])[-1]
            self.add(
                "tools/validate.py:1",
                f"die Rasa-Prüfung ist abgebrochen ({last})",
                "führen Sie „.venv/bin/python -m tools.validate“ aus und geben Sie die Ausgabe dem Entwicklungsteam",
            )
            self.report.skipped.append((STAGES["rasa"], "sie abgebrochen ist"))
            return
        self.report.problems.extend(result["problems"])
        self.report.skipped.extend(tuple(s) for s in result["skipped"])
        if result["ran"]:
            self.report.ran.append(STAGES["rasa"])

    def run(self, rasa: bool = True, stages: set[str] | None = None) -> Report:
        """Run every stage (or only `stages`; the YAML stage always runs)."""
        wanted = set(STAGES) if stages is None else set(stages) | {"yaml"}
        if not rasa:
            wanted.discard("rasa")
        self.stage_yaml()
        process = self.start_rasa() if "rasa" in wanted else None
        if rasa is False:
            self.report.skipped.append((STAGES["rasa"], "sie mit --ohne-rasa abgeschaltet wurde"))
        if wanted & {"knowledge", "content", "training", "readability"}:
            self.stage_knowledge()
        if "content" in wanted:
            self.stage_content()
        if "patterns" in wanted:
            self.stage_patterns()
        if "training" in wanted:
            self.stage_training()
        if "readability" in wanted:
            self.stage_readability()
        self.finish_rasa(process)
        self.report.problems = list(dict.fromkeys(self.report.problems))
        return self.report


def run(root: Path = ROOT, rasa: bool = True, stages: set[str] | None = None) -> Report:
    return Checker(root=root.resolve()).run(rasa=rasa, stages=stages)


def check(root: Path = ROOT, rasa: bool = False, stages: set[str] | None = None) -> list[str]:
    """Every problem in the project at `root`, one `Datei:Zeile: …` line each (empty when all is well)."""
    return run(root, rasa=rasa, stages=stages).problems


def main() -> int:
    parser = argparse.ArgumentParser(description="Prüft Inhalte, Trainingsdaten und Texte (make check).")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--ohne-rasa", action="store_true", help="Rasas eigene Prüfung auslassen (schneller)")
    args = parser.parse_args()
    started = time.monotonic()
    report = run(args.root, rasa=not args.ohne_rasa)
    for line in report.problems:
        print(line)
    if report.problems:
        print()
    print(f"Geprüft: {', '.join(report.ran)}.")
    for stage, why in report.skipped:
        print(f"Nicht geprüft: {stage}, weil {why}.")
    for note in report.notes:
        print(note)
    print(f"Dauer: {time.monotonic() - started:.0f} s.")
    count = len(report.problems)
    if count:
        print(f"{count} {'Problem' if count == 1 else 'Probleme'} gefunden")
        return 1
    print("Alles in Ordnung")
    return 0


if __name__ == "__main__":
    sys.exit(main())
