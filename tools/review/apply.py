"""`make review-apply`: messages an editor marked in reports/review.yml become NLU examples.

For every message with `intent:` filled in:

1. the text (the editor may have improved it) gets invented stand-ins for the placeholders
   ([Name] → Max Mustermann, texts.yml `apply.stand_ins`), so no real person's data and no
   bracket reaches the training data, and is made one line;
2. treatment names in it are found with the project's own matcher (components/therapy_extractor.py,
   with the lexicon it learns from data/) and written in the JSON entity form
   `[Akupunktur]{"entity": "therapy", "value": "akupunktur"}`; `therapy:` overrides the id;
3. it is appended to the examples of that intent in the data/ file that holds the intent
   (data/nlu.yml, data/nlu_topics.yml, data/nlu_safety.yml, data/nlu_conversation.yml …),
   unless the same example (ignoring case, annotations and spacing) is already in any data/
   file, or stands in a test set (tests/, dev/), which is never written either.

The Makefile target runs `make check` afterwards.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from tools.review.analysis import texts
from tools.review.lexicon import fold

ROOT = Path(__file__).resolve().parents[2]
TEST_SETS = ("tests", "dev")
NOT_TYPED = {"keep_my_data", "feedback", "nlu_fallback"}  # only ever a button payload
_INTENT_LINE = re.compile(r"^- intent:\s*(?P<intent>[\w-]+)\s*$")
_EXAMPLE_LINE = re.compile(r"^(?P<indent>\s+)- (?P<text>.*)$")
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


def plain(example: str) -> str:
    """An example without entity annotations, folded, for comparing."""
    text = _ANNOTATION.sub(lambda m: m.group("text"), example)
    return re.sub(r"\s+", " ", fold(text)).strip().strip("\"'").strip()


@dataclass
class Example:
    file: Path
    line: int  # 1-based
    intent: str


def nlu_files(data: Path) -> list[Path]:
    return sorted(
        p
        for p in data.rglob("*.yml")
        if any(_INTENT_LINE.match(line) for line in p.read_text(encoding="utf-8").splitlines())
    )


def intent_files(data: Path) -> dict[str, Path]:
    """intent → the file under data/ that holds its examples (the first, if several do)."""
    found: dict[str, Path] = {}
    for path in nlu_files(data):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _INTENT_LINE.match(line)
            if match:
                found.setdefault(match.group("intent"), path)
    return found


def existing_examples(data: Path) -> dict[str, Example]:
    """Every training example under data/, folded → where it is and for which intent."""
    found: dict[str, Example] = {}
    for path in nlu_files(data):
        intent = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _INTENT_LINE.match(line)
            if match:
                intent = match.group("intent")
                continue
            if line.startswith("- ") and not line.startswith("- intent"):
                intent = None  # a synonym, regex or lookup block
            example = _EXAMPLE_LINE.match(line)
            if intent and example and len(example.group("indent")) >= 4:
                found.setdefault(plain(example.group("text")), Example(path, number, intent))
    return found


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        lines = [m.group("text") for m in (_EXAMPLE_LINE.match(row) for row in node.splitlines()) if m]
        return [node, *lines]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def texts_of_test_sets(root: Path) -> dict[str, Path]:
    """Every text in a test set (tests/, dev/), folded → its file. Only read, never written."""
    found: dict[str, Path] = {}
    for folder in TEST_SETS:
        for path in sorted((root / folder).rglob("*.yml")) if (root / folder).exists() else []:
            try:
                content = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            for text in _strings(content):
                found.setdefault(plain(text), path)
    return found


def known_intents(data: Path = ROOT / "data") -> list[str]:
    return [intent for intent in intent_files(data) if intent not in NOT_TYPED]


def known_therapies(root: Path = ROOT) -> list[str]:
    data = yaml.safe_load((root / "knowledge" / "therapies.yml").read_text(encoding="utf-8"))
    return list((data.get("therapies") or {}).keys())


# --- the matcher --------------------------------------------------------------------
@functools.cache
def _tokenizer() -> Any:
    import spacy

    return spacy.blank("de").tokenizer


_JSON_ENTITY = re.compile(r"\[(?P<text>[^\]]+)\](?P<json>\{[^}]*\})")
_SHORT_ENTITY = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[\w-]+)(?::(?P<value>[^)]+))?\)")


def _therapy_annotations(line: str) -> list[tuple[str, str]]:
    """(text, value) of every `therapy` annotation in one example line."""
    found = []
    for match in _JSON_ENTITY.finditer(line):
        try:
            entity = json.loads(match.group("json"))
        except json.JSONDecodeError:
            continue
        if entity.get("entity") == "therapy":
            found.append((match.group("text"), str(entity.get("value") or match.group("text"))))
    for match in _SHORT_ENTITY.finditer(line):
        if match.group("entity") == "therapy":
            found.append((match.group("text"), match.group("value") or match.group("text")))
    return found


def therapy_matcher(data: Path) -> Any:
    """components/therapy_extractor.py's TherapyExtractor with the lexicon its `train` learns from `data`:
    the annotated therapy values, the `synonym:` forms and the annotated texts (read here directly:
    Rasa's own loader takes half a minute for the same)."""
    from components.therapy_extractor import TherapyExtractor, normalize

    spans: list[tuple[str, str]] = []
    synonyms: list[tuple[str, str]] = []
    for path in sorted(data.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or [] if isinstance(document, dict) else []:
            lines = [
                line.strip()[2:]
                for line in str(item.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
            if "intent" in item:
                for line in lines:
                    spans += _therapy_annotations(line)
            elif "synonym" in item:
                synonyms += [(line, str(item["synonym"])) for line in lines]
    values = {value for _, value in spans}
    synonyms += [(text, value) for text, value in spans if text != value]  # Rasa maps annotated texts too
    lexicon: dict[str, str] = {normalize(value): value for value in values}
    for form, value in synonyms:
        if value in values:
            lexicon.setdefault(normalize(form), value)
    for text, value in spans:
        lexicon.setdefault(normalize(text), value)
    lexicon.pop("", None)
    return TherapyExtractor({}, None, None, lexicon)  # type: ignore[arg-type]


def find_therapies(matcher: Any, text: str) -> list[dict[str, Any]]:
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.training_data.message import Message

    tokens = [Token(t.text, t.idx) for t in _tokenizer()(text) if not t.is_space]
    return matcher.extract(Message(data={"text": text, "text_tokens": tokens}))


def annotate(text: str, spans: list[dict[str, Any]]) -> str:
    out, position = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out.append(text[position : span["start"]])
        value = json.dumps({"entity": "therapy", "value": span["value"]}, ensure_ascii=False)
        out.append(f"[{text[span['start'] : span['end']]}]{value}")
        position = span["end"]
    out.append(text[position:])
    return "".join(out)


def training_text(text: str) -> str:
    """One line, placeholders replaced by invented stand-ins, no brackets left that Rasa could misread."""
    for placeholder, stand_in in texts()["apply"]["stand_ins"].items():
        text = text.replace(placeholder, stand_in)
    text = text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")
    return re.sub(r"\s+", " ", text).strip()


def insert_example(path: Path, intent: str, example: str) -> int:
    """Append `example` to the examples of `intent` in `path`; returns its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(
        i
        for i, line in enumerate(lines)
        if (m := _INTENT_LINE.match(line.rstrip("\n"))) and m.group("intent") == intent
    )
    last, indent = None, "    "
    for i in range(start + 1, len(lines)):
        line = lines[i].rstrip("\n")
        if line.startswith("- ") or (line and not line.startswith(" ")):
            break
        match = _EXAMPLE_LINE.match(line)
        if match and len(match.group("indent")) >= 4:
            last, indent = i, match.group("indent")
    if last is None:  # an intent without examples yet: after its "examples: |" line
        last = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("examples:"))
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, f"{indent}- {example}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return last + 2


@dataclass
class Outcome:
    added: list[str]
    notes: list[str]
    errors: list[str]
    skipped: int


def _where(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def apply(review_file: Path, data: Path, root: Path = ROOT) -> Outcome:
    t = texts()["apply"]
    name = _where(review_file, root)
    if not review_file.exists():
        return Outcome([], [], [t["no_file"].format(file=name)], 0)
    loader = YAML(typ="rt")
    try:
        document = loader.load(review_file.read_text(encoding="utf-8"))
        messages = document["messages"]
    except Exception as error:  # noqa: BLE001 - any unreadable file gets the same message
        return Outcome([], [], [t["bad_file"].format(file=name, problem=str(error).splitlines()[0])], 0)
    marked = [m for m in messages or [] if isinstance(m, dict) and str(m.get("intent") or "").strip()]
    if not marked:
        return Outcome([], [t["nothing"].format(file=name)], [], 0)

    files = intent_files(data)
    intents = [i for i in files if i not in NOT_TYPED]
    therapies = known_therapies(root)
    existing = existing_examples(data)
    tests = texts_of_test_sets(root)
    matcher = therapy_matcher(data)
    outcome = Outcome([], [], [], 0)
    for entry in marked:
        line = entry.lc.line + 1 if hasattr(entry, "lc") else 0
        where = {"file": name, "line": line, "number": entry.get("nr", "?")}
        intent = str(entry["intent"]).strip()
        therapy = str(entry.get("therapy") or "").strip() or None
        if intent in NOT_TYPED:
            outcome.errors.append(t["not_typed"].format(**where, intent=intent))
            continue
        if intent not in files:
            outcome.errors.append(t["unknown_intent"].format(**where, intent=intent, intents=", ".join(intents)))
            continue
        if therapy and therapy not in therapies:
            outcome.errors.append(t["unknown_therapy"].format(**where, therapy=therapy, therapies=", ".join(therapies)))
            continue
        text = training_text(str(entry.get("text") or ""))
        if not text:
            outcome.errors.append(t["empty_text"].format(**where))
            continue
        key = plain(text)
        if key in tests:
            outcome.notes.append(t["in_test_set"].format(**where, where=_where(tests[key], root)))
            outcome.skipped += 1
            continue
        if key in existing:
            found = existing[key]
            spot = f"{_where(found.file, root)}:{found.line}"
            message = t["duplicate"] if found.intent == intent else t["duplicate_other"]
            (outcome.notes if found.intent == intent else outcome.errors).append(
                message.format(**where, where=spot, intent=found.intent)
            )
            outcome.skipped += 1
            continue
        spans = find_therapies(matcher, text)
        if therapy:
            if not spans:
                outcome.notes.append(t["therapy_not_named"].format(**where, therapy=therapy))
            elif len(spans) == 1 and spans[0]["value"] != therapy:
                outcome.notes.append(
                    t["therapy_replaced"].format(
                        **where, span=spans[0]["text"], therapy=therapy, found=spans[0]["value"]
                    )
                )
                spans[0]["value"] = therapy
        example = annotate(text, spans)
        path = files[intent]
        number = insert_example(path, intent, example)
        existing[key] = Example(path, number, intent)
        outcome.added.append(t["added"].format(file=_where(path, root), line=number, intent=intent, text=example))
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.review apply", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--file",
        type=Path,
        default=ROOT / "reports" / "review.yml",
        help="the marked review (default reports/review.yml)",
    )
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the training data folder (default data/)")
    args = parser.parse_args(argv)
    data = args.data.resolve()
    if any(part in TEST_SETS for part in data.relative_to(ROOT).parts[:1]) if data.is_relative_to(ROOT) else False:
        print("Fehler: Testsätze (tests/, dev/) werden nie verändert.", file=sys.stderr)
        return 2
    outcome = apply(args.file.resolve(), data)
    for line in outcome.added + outcome.notes:
        print(line)
    for line in outcome.errors:
        print(line, file=sys.stderr)
    if outcome.added or outcome.skipped or outcome.errors:
        print(
            texts()["apply"]["summary"].format(added=len(outcome.added), skipped=outcome.skipped + len(outcome.errors))
        )
    return 1 if outcome.errors else 0
