"""Compose the bot's replies from the fact store: text, `Quelle:` line, disclaimer, buttons.

Pure functions over a `KnowledgeBase`; they know nothing of Rasa or of any
channel. A `Button` names what it asks for (a therapy, an aspect, a topic); the
action layer turns that into a Rasa payload and each channel draws it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.knowledge import Fact, KnowledgeBase

# The button that lets a person switch to another treatment (for the same aspect).
OTHER_THERAPY = "andere_behandlung"


@dataclass(frozen=True)
class Button:
    title: str
    therapy: str | None = None
    aspect: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Answer:
    body: str
    source_line: str
    disclaimer: str
    source_url: str
    buttons: tuple[Button, ...] = ()

    @property
    def text(self) -> str:
        """The whole message: answer, then the `Quelle:` line, then the disclaimer."""
        return f"{self.body}\n{self.source_line}\n{self.disclaimer}"


def _quoted_list(items: list[str]) -> str:
    quoted = [f"„{item}“" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " und " + quoted[-1]


def source_line(knowledge: KnowledgeBase, facts: list[Fact]) -> str:
    """`Quelle: …` naming the page and its sections, or the references cited."""
    section_ids = list(dict.fromkeys(s for fact in facts for s in fact.sections))
    reference_ids = list(dict.fromkeys(r for fact in facts for r in fact.references))
    page = knowledge.page
    parts = []
    if section_ids:
        headings = [knowledge.sections[s] for s in section_ids]
        label = "Abschnitt" if len(headings) == 1 else "Abschnitte"
        parts.append(
            f"{page.publisher}, {page.site}, „{page.title}“, {label} {_quoted_list(headings)} "
            f"(Stand {page.updated}): {page.url}"
        )
    for reference in reference_ids:
        parts.append(knowledge.references[reference])
    return "Quelle: " + "; ".join(parts)


def _answer(knowledge: KnowledgeBase, facts: list[Fact], buttons: list[Button]) -> Answer:
    return Answer(
        body="\n\n".join(fact.text for fact in facts),
        source_line=source_line(knowledge, facts),
        disclaimer=knowledge.disclaimer,
        source_url=knowledge.page.url,
        buttons=tuple(buttons),
    )


def follow_up_buttons(knowledge: KnowledgeBase, therapy: str, asked: set[str]) -> list[Button]:
    """The other aspects of this therapy, then a switch to another treatment."""
    buttons = [
        Button(title=aspect.label, therapy=therapy, aspect=aspect.id)
        for aspect in knowledge.aspects.values()
        if aspect.id not in asked
    ]
    buttons.append(Button(title="Andere Behandlung", topic=OTHER_THERAPY))
    return buttons


def fact_answer(knowledge: KnowledgeBase, therapies: list[str], aspect: str) -> Answer:
    """Answer one aspect for one or more therapies (e.g. "Akupunktur oder Massage?")."""
    facts = [knowledge.fact(therapy, aspect) for therapy in therapies]
    return _answer(knowledge, facts, follow_up_buttons(knowledge, therapies[0], {aspect}))


def therapy_choice_buttons(knowledge: KnowledgeBase, aspect: str | None) -> list[Button]:
    """One button per top-level treatment (members like TENS are reached by typing)."""
    return [Button(title=t.label, therapy=t.id, aspect=aspect) for t in knowledge.top_level_therapies()]


def aspect_choice_buttons(knowledge: KnowledgeBase, therapy: str) -> list[Button]:
    return [Button(title=a.label, therapy=therapy, aspect=a.id) for a in knowledge.aspects.values()]


# Which buttons follow a general topic: the natural next questions.
_TOPIC_BUTTONS: dict[str, list[Button]] = {
    "uebersicht": [
        Button(title="Was hilft stattdessen?", topic="aktive_behandlungen"),
        Button(title="Wer bezahlt das?", topic="kosten_allgemein"),
    ],
    "aktive_behandlungen": [
        Button(title="Passive Behandlungen", topic="uebersicht"),
        Button(title="Woher stammt das?", topic="quellen"),
    ],
    "kosten_allgemein": [
        Button(title="Passive Behandlungen", topic="uebersicht"),
        Button(title="Was hilft stattdessen?", topic="aktive_behandlungen"),
    ],
    "quellen": [Button(title="Passive Behandlungen", topic="uebersicht")],
    "warnzeichen": [],  # nothing may compete with the urgent advice
}


def topic_answer(knowledge: KnowledgeBase, topic_id: str) -> Answer:
    buttons = list(_TOPIC_BUTTONS.get(topic_id, []))
    if topic_id == "uebersicht":
        buttons = therapy_choice_buttons(knowledge, None)[:8] + buttons
    return _answer(knowledge, [knowledge.topic(topic_id)], buttons)


def start_buttons(knowledge: KnowledgeBase) -> list[Button]:
    """Topic buttons for the opening message."""
    return [
        Button(title="Welche Behandlungen?", topic="uebersicht"),
        Button(title="Hilft Akupunktur?", therapy="akupunktur", aspect="wirksamkeit"),
        Button(title="Wer bezahlt das?", topic="kosten_allgemein"),
        Button(title="Was hilft stattdessen?", topic="aktive_behandlungen"),
    ]
