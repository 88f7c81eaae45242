"""A tracker store written without the bot: the `events` rows Rasa's SQLTrackerStore writes, for
SQLite or PostgreSQL (any SQLAlchemy URL), with conversations that hit every reason of the review."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

NOW = time.time()
DAY = 86400.0
SENDERS = ("rest:sender-one-4711", "web:sender-two-0815", "tg:3f9a1c2b7e")


def user(text: str, intent: str, confidence: float = 0.95, ts: float = NOW, **entities: Any) -> dict:
    ranking = [{"name": intent, "confidence": confidence}]
    if intent == "nlu_fallback":
        ranking.append({"name": entities.pop("guess", "ask_effectiveness"), "confidence": 0.31})
    ents = [{"entity": k, "value": v} for k, vs in entities.items() for v in (vs if isinstance(vs, list) else [vs])]
    return {
        "event": "user",
        "timestamp": ts,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": ents,
            "intent_ranking": ranking,
        },
    }


def bot(text: str, ts: float = NOW, utter: str | None = None, **answer: Any) -> dict:
    metadata: dict[str, Any] = {}
    if utter:
        metadata["utter_action"] = utter
    if answer:
        metadata["answer"] = answer
    return {
        "event": "bot",
        "timestamp": ts,
        "text": text,
        "metadata": metadata,
        "data": {"buttons": [{"title": "Kosten", "payload": "/ask_costs"}]},
    }


FACT = "Akupunktur kann chronische Rückenschmerzen allenfalls kurzfristig lindern.\nQuelle: IQWiG"


def conversation_events(base: float = NOW) -> dict[str, list[dict]]:
    return {
        SENDERS[0]: [
            user("hilft akupunktur?", "ask_effectiveness", 0.99, base, therapy="akupunktur"),
            bot(FACT, base, kind="fact", therapy="akupunktur", aspect="wirksamkeit"),
            user(
                '/feedback{"helpful": false, "comment": "zu lang, ruf mich an 0171 2345678"}',
                "feedback",
                1.0,
                base + 1,
                helpful=False,
                comment="zu lang, ruf mich an 0171 2345678",
            ),
            bot("Danke für Ihre Rückmeldung!", base + 1, utter="utter_feedback_thanks"),
            user("blubb bla", "nlu_fallback", 0.4, base + 2),
            bot("Das habe ich leider nicht verstanden.", base + 2, utter="utter_please_rephrase"),
            user("blubb bla", "nlu_fallback", 0.4, base + 3),
            bot("Das habe ich leider nicht verstanden.", base + 3, utter="utter_please_rephrase"),
        ],
        SENDERS[1]: [
            user("Ich heiße Gerda Müller, hilft Akupunktur bei Migräne?", "out_of_scope", 1.0, base, condition="kopf"),
            bot("Über Kopfschmerzen und Migräne sagt sie nichts.", base, utter="utter_other_condition"),
            user("massage", "inform_therapy", 0.97, base + 1, therapy="massage"),
            bot("Was möchten Sie über Massage wissen?", base + 1, utter="utter_ask_aspect"),
            user("/ask_effectiveness", "ask_effectiveness", 1.0, base + 2),  # a button: counted, not listed
            bot("Zu welcher Behandlung möchten Sie das wissen?", base + 2, utter="utter_ask_therapy"),
            # a model trained before the feedback intent existed: the payload reaches the NLU as text
            user('/feedback{"helpful": true}', "nlu_fallback", 0.4, base + 3),
            bot("Das habe ich leider nicht verstanden.", base + 3, utter="utter_please_rephrase"),
        ],
        SENDERS[2]: [
            user("mein bein ist taub, tel 030 1234567", "warning_signs", 1.0, base - 8 * DAY, sign="taub"),
            bot("Rufen Sie jetzt den Notruf 112.", base - 8 * DAY, kind="safety", tier="notruf"),
            user("bringt massage was", "ask_effectiveness", 0.9, base - 8 * DAY, therapy="massage"),
            bot("Massagen helfen kurzfristig.", base - 8 * DAY, kind="fact", therapy="massage", aspect="wirksamkeit"),
            user('/feedback{"helpful": true}', "feedback", 1.0, base - 8 * DAY, helpful=True),
            bot("Danke für Ihre Rückmeldung!", base - 8 * DAY, utter="utter_feedback_thanks"),
        ],
    }


def write_store(target: Path | str, by_sender: dict[str, list[dict]]) -> Path | str:
    """Rasa's `events` table with these conversations: an SQLite file (a path) or any database (a URL)."""
    url = target if isinstance(target, str) else f"sqlite:///{target}"
    metadata = sa.MetaData()
    table = sa.Table(
        "events", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )  # fmt: skip
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    rows = []
    for sender, events in by_sender.items():
        rows.append({"sender_id": sender, "type_name": "action", "timestamp": events[0]["timestamp"], "intent_name": None,
                     "action_name": "action_listen", "data": json.dumps({"event": "action", "name": "action_listen"})})  # fmt: skip
        for event in events:
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            rows.append({"sender_id": sender, "type_name": event["event"], "timestamp": event["timestamp"],
                         "intent_name": intent, "action_name": None, "data": json.dumps(event)})  # fmt: skip
    with engine.begin() as connection:
        if rows:
            connection.execute(table.insert(), rows)
    engine.dispose()
    return target
