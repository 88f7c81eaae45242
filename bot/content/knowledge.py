"""The curated fact store: load `knowledge/`, validate it, and look facts up.

Nothing here knows about Rasa. Loading collects every problem it finds and
raises one `KnowledgeError` whose lines read `file:line: what is wrong`, so an
editor sees all mistakes at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

# Topics the bot's dialogue relies on; every other topic id is allowed too.
REQUIRED_TOPICS = ("uebersicht", "aktive_behandlungen", "quellen", "kosten_allgemein", "warnzeichen")


class KnowledgeError(Exception):
    """The fact store is broken; `problems` holds one `file:line: message` per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class SourcePage:
    publisher: str
    site: str
    title: str
    url: str
    updated: str


@dataclass(frozen=True)
class Therapy:
    id: str
    name: str
    part_of: str | None = None
    short_name: str | None = None

    @property
    def label(self) -> str:
        """The name on a button (messengers cut button titles at 20 characters)."""
        return self.short_name or self.name


@dataclass(frozen=True)
class Aspect:
    id: str
    label: str
    topic: str


@dataclass(frozen=True)
class Fact:
    """What the page says on one aspect of one therapy (or on a general topic)."""

    text: str
    sections: tuple[str, ...]
    references: tuple[str, ...] = ()
    page_silent: bool = False
    origin: str = ""  # "file:line", for messages to editors


@dataclass(frozen=True)
class KnowledgeBase:
    page: SourcePage
    sections: dict[str, str]
    references: dict[str, str]
    disclaimer: str
    therapies: dict[str, Therapy]
    aspects: dict[str, Aspect]
    facts: dict[tuple[str, str], Fact]
    topics: dict[str, Fact]

    def fact(self, therapy: str, aspect: str) -> Fact:
        return self.facts[(therapy, aspect)]

    def topic(self, topic_id: str) -> Fact:
        return self.topics[topic_id]

    def top_level_therapies(self) -> list[Therapy]:
        """Therapies that are not part of a group, in the editors' order."""
        return [t for t in self.therapies.values() if t.part_of is None]


@dataclass
class _Loader:
    root: Path
    problems: list[str] = field(default_factory=list)

    # -- reading ---------------------------------------------------------
    def read(self, path: Path) -> Any:
        try:
            with path.open(encoding="utf-8") as handle:
                return YAML(typ="rt").load(handle)
        except FileNotFoundError:
            self.problems.append(f"{self.rel(path)}:1: file is missing")
        except MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else 1
            self.problems.append(f"{self.rel(path)}:{line}: not valid YAML: {error.problem}")
        return None

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def where(self, path: Path, node: Any, key: Any = None) -> str:
        """`file:line` of a mapping (or of one key inside it)."""
        line = None
        if isinstance(node, (CommentedMap, CommentedSeq)):
            try:
                line = node.lc.key(key)[0] if key is not None else node.lc.line
            except (KeyError, TypeError, AttributeError):
                line = node.lc.line
        return f"{self.rel(path)}:{(line or 0) + 1}"

    def mapping(self, path: Path, parent: Any, key: str) -> CommentedMap:
        if not parent:
            return CommentedMap()  # the file is missing or broken: reported already
        value = parent.get(key) if isinstance(parent, CommentedMap) else None
        if not isinstance(value, CommentedMap):
            self.problems.append(
                f"{self.where(path, parent, key if isinstance(parent, CommentedMap) and key in parent else None)}: "
                f"'{key}' must be a mapping of ids to entries"
            )
            return CommentedMap()
        return value

    def text(self, path: Path, node: CommentedMap, key: str, what: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{self.where(path, node)}: {what} has no {key}; write one in plain German")
            return ""
        return " ".join(value.split()) if "\n- " not in value else value.strip()

    # -- the parts -------------------------------------------------------
    def load(self) -> KnowledgeBase:
        sources_path = self.root / "sources.yml"
        sources = self.read(sources_path) or CommentedMap()
        page_node = self.mapping(sources_path, sources, "page")
        page = SourcePage(
            publisher=self.text(sources_path, page_node, "publisher", "the source page"),
            site=self.text(sources_path, page_node, "site", "the source page"),
            title=self.text(sources_path, page_node, "title", "the source page"),
            url=self.text(sources_path, page_node, "url", "the source page"),
            updated=self.text(sources_path, page_node, "updated", "the source page"),
        )
        sections = {str(k): str(v) for k, v in self.mapping(sources_path, sources, "sections").items()}
        references = {str(k): str(v) for k, v in self.mapping(sources_path, sources, "references").items()}
        disclaimer = self.text(sources_path, sources, "disclaimer", "sources.yml") if sources else ""

        therapies_path = self.root / "therapies.yml"
        therapy_nodes = self.mapping(therapies_path, self.read(therapies_path) or CommentedMap(), "therapies")
        therapies: dict[str, Therapy] = {}
        for therapy_id, node in therapy_nodes.items():
            if not isinstance(node, CommentedMap):
                self.problems.append(
                    f"{self.where(therapies_path, therapy_nodes, therapy_id)}: therapy '{therapy_id}' needs a 'name'"
                )
                continue
            therapies[str(therapy_id)] = Therapy(
                id=str(therapy_id),
                name=self.text(therapies_path, node, "name", f"therapy '{therapy_id}'"),
                part_of=node.get("part_of"),
                short_name=node.get("short_name"),
            )
        for therapy in therapies.values():
            if therapy.part_of is not None and therapy.part_of not in therapies:
                self.problems.append(
                    f"{self.where(therapies_path, therapy_nodes[therapy.id], 'part_of')}: "
                    f"'{therapy.id}' is part_of unknown therapy '{therapy.part_of}'"
                )

        aspects_path = self.root / "aspects.yml"
        aspect_nodes = self.mapping(aspects_path, self.read(aspects_path) or CommentedMap(), "aspects")
        aspects = {
            str(aspect_id): Aspect(
                id=str(aspect_id),
                label=self.text(aspects_path, node, "label", f"aspect '{aspect_id}'"),
                topic=self.text(aspects_path, node, "topic", f"aspect '{aspect_id}'"),
            )
            for aspect_id, node in aspect_nodes.items()
            if isinstance(node, CommentedMap)
        }

        facts = self.load_facts(therapies, aspects, sections, references)
        topics = self.load_topics(sections, references)
        return KnowledgeBase(
            page=page,
            sections=sections,
            references=references,
            disclaimer=disclaimer,
            therapies=therapies,
            aspects=aspects,
            facts=facts,
            topics=topics,
        )

    def fact(
        self,
        path: Path,
        node: Any,
        what: str,
        sections: dict[str, str],
        references: dict[str, str],
    ) -> Fact | None:
        if not isinstance(node, CommentedMap):
            self.problems.append(f"{self.rel(path)}:1: {what} must be a mapping with 'text' and 'sections'")
            return None
        text = self.text(path, node, "text", what)
        cited_sections = tuple(str(s) for s in (node.get("sections") or []))
        cited_references = tuple(str(r) for r in (node.get("references") or []))
        if not cited_sections and not cited_references:
            self.problems.append(
                f"{self.where(path, node)}: {what} has no source; "
                "add 'sections: [...]' with the section of the page it rests on"
            )
        for section in cited_sections:
            if section not in sections:
                self.problems.append(
                    f"{self.where(path, node, 'sections')}: {what} cites unknown section '{section}'; "
                    f"known sections: {', '.join(sections)}"
                )
        for reference in cited_references:
            if reference not in references:
                self.problems.append(
                    f"{self.where(path, node, 'references')}: {what} cites unknown reference '{reference}'; "
                    f"known references: {', '.join(references)}"
                )
        silent = node.get("page_silent", False)
        if not isinstance(silent, bool):
            self.problems.append(f"{self.where(path, node, 'page_silent')}: page_silent must be true or false")
            silent = False
        return Fact(
            text=text,
            sections=cited_sections,
            references=cited_references,
            page_silent=silent,
            origin=self.where(path, node),
        )

    def load_facts(
        self,
        therapies: dict[str, Therapy],
        aspects: dict[str, Aspect],
        sections: dict[str, str],
        references: dict[str, str],
    ) -> dict[tuple[str, str], Fact]:
        facts: dict[tuple[str, str], Fact] = {}
        for path in sorted((self.root / "facts").glob("*.yml")):
            document = self.read(path)
            if not isinstance(document, CommentedMap):
                if document is not None:
                    self.problems.append(f"{self.rel(path)}:1: expected 'therapy:' and 'facts:'")
                continue
            therapy_id = document.get("therapy")
            if therapy_id not in therapies:
                self.problems.append(
                    f"{self.where(path, document, 'therapy' if 'therapy' in document else None)}: "
                    f"unknown therapy '{therapy_id}'; add it to knowledge/therapies.yml "
                    f"or use one of: {', '.join(therapies)}"
                )
                continue
            for aspect_id, node in self.mapping(path, document, "facts").items():
                if aspect_id not in aspects:
                    self.problems.append(
                        f"{self.where(path, document['facts'], aspect_id)}: unknown aspect '{aspect_id}'; "
                        f"use one of: {', '.join(aspects)}"
                    )
                    continue
                key = (str(therapy_id), str(aspect_id))
                if key in facts:
                    self.problems.append(
                        f"{self.where(path, document['facts'], aspect_id)}: {therapy_id}/{aspect_id} is already "
                        f"defined at {facts[key].origin}"
                    )
                    continue
                fact = self.fact(path, node, f"fact {therapy_id}/{aspect_id}", sections, references)
                if fact is not None:
                    facts[key] = fact
        for therapy_id in therapies:
            for aspect_id in aspects:
                if (therapy_id, aspect_id) not in facts:
                    self.problems.append(
                        f"knowledge/facts/{therapy_id}.yml:1: missing fact {therapy_id}/{aspect_id}; "
                        f"every therapy needs an answer for every aspect (say so where the page is silent)"
                    )
        return facts

    def load_topics(self, sections: dict[str, str], references: dict[str, str]) -> dict[str, Fact]:
        path = self.root / "topics.yml"
        topic_nodes = self.mapping(path, self.read(path) or CommentedMap(), "topics")
        topics: dict[str, Fact] = {}
        for topic_id, node in topic_nodes.items():
            fact = self.fact(path, node, f"topic '{topic_id}'", sections, references)
            if fact is not None:
                topics[str(topic_id)] = fact
        for topic_id in REQUIRED_TOPICS:
            if topic_id not in topics:
                self.problems.append(f"{self.rel(path)}:1: missing topic '{topic_id}'; the dialogue needs it")
        return topics


def load_knowledge(root: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and validate the fact store; raise `KnowledgeError` listing every problem."""
    loader = _Loader(Path(root).resolve())
    knowledge = loader.load()
    if loader.problems:
        raise KnowledgeError(loader.problems)
    return knowledge
