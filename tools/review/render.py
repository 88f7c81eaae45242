"""Write the review: reports/review.html (for reading) and reports/review.yml (for marking)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
import yaml

from tools.review.analysis import REASONS, WEEKLY_SHARES, Group, Item, Review, aspect_names, texts, therapy_names

TEMPLATE = Path(__file__).with_name("review.html.j2")


def _percent(share: float) -> str:
    return f"{round(share * 100):d} %"


def _date(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%d.%m.%Y")


def _age(review: Review) -> str:
    t = texts()
    if review.oldest is None:
        return ""
    seconds = review.generated.timestamp() - review.oldest
    days = int(seconds // 86400)
    if days < 1:
        return t["age_hours"]
    return t["age_one_day"] if days == 1 else t["age_days"].format(n=days)


def _count(n: int, one: str, many: str) -> str:
    return one if n == 1 else many.format(n=n)


class Labels:
    """German names for what the bot thought, for the template and the YAML."""

    def __init__(self, review: Review) -> None:
        self.t = texts()
        self.review = review
        self.therapies = therapy_names()
        self.aspects = aspect_names()
        self.threshold = round(review.threshold * 100)

    def intent(self, name: str | None) -> str:
        intents = self.t["intents"]
        return intents.get(name or "unknown", name or intents["unknown"])

    def therapy(self, therapy: str | None) -> str:
        if not therapy or therapy == "unknown":
            return self.t["group"]["no_therapy"]
        return self.therapies.get(therapy, therapy)

    def aspect(self, aspect: str | None) -> str:
        return self.aspects.get(aspect or "", aspect or "")

    def band(self, key: str) -> str:
        return self.t["bands"][key].format(threshold=self.threshold)

    def group(self, group: Group) -> list[str]:
        g = self.t["group"]
        parts = [g["thought"].format(intent=self.intent(group.intent))]
        parts.append(g["therapy"].format(therapy=self.therapy(group.therapy)))
        if group.aspect:
            parts.append(g["aspect"].format(aspect=self.aspect(group.aspect)))
        parts.append(g["confidence"].format(band=self.band(group.band)))
        return parts

    def thought(self, item: Item) -> str:
        parts = [self.intent(item.intent)]
        if item.confidence is not None:
            parts.append(f"{round(item.confidence * 100)} %")
        if item.therapy:
            parts.append(self.therapy(item.therapy))
        if item.aspect:
            parts.append(self.aspect(item.aspect))
        return ", ".join(parts)


def html(review: Review) -> str:
    t = texts()
    labels = Labels(review)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)),
        autoescape=True,  # messages are what strangers typed
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template(TEMPLATE.name)
    summary = [
        (reason, t["reasons"][reason]["heading"], sum(g.count for g in review.groups[reason])) for reason in REASONS
    ]
    return template.render(
        t=t,
        review=review,
        labels=labels,
        reasons=REASONS,
        shares=WEEKLY_SHARES,
        summary=summary,
        percent=_percent,
        date=_date,
        count=_count,
        age=_age(review),
        oldest_date=_date(review.oldest) if review.oldest else "",
        overdue=review.oldest is not None
        and (review.generated.timestamp() - review.oldest) > review.retention_days * 86400 + 86400,
        since_date=_date(review.since) if review.since else "",
        days=f"{review.since_days:g}" if review.since_days is not None else "",
        retention=f"{review.retention_days:g}",
        threshold=labels.threshold,
    )


class _Dumper(yaml.SafeDumper):
    pass


def _none(dumper: yaml.SafeDumper, _value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(type(None), _none)
_Dumper.add_representer(str, _text)


def review_yml(review: Review, intents: list[str], therapies: list[str]) -> str:
    t = texts()
    labels = Labels(review)
    header = t["review_yml"]["header"].format(
        date=review.generated.strftime("%d.%m.%Y %H:%M"), intents=", ".join(intents), therapies=", ".join(therapies)
    )
    messages: list[dict[str, Any]] = []
    for item in review.items:
        entry: dict[str, Any] = {
            "nr": item.number,
            "reason": item.reason,
            "reason_de": t["reasons"][item.reason]["heading"],
            "count": item.count,
            "text": item.text,
            "bot_thought": {
                "intent": item.intent,
                "confidence": round(item.confidence, 2) if item.confidence is not None else None,
                "therapy": item.therapy,
                "aspect": item.aspect,
                "in_words": labels.thought(item),
            },
            "reply": item.rated if item.rated is not None else item.reply,
        }
        if item.comments:
            entry["comments"] = item.comments
        entry["intent"] = None
        entry["therapy"] = None
        messages.append(entry)
    body = {
        "generated": review.generated.strftime("%Y-%m-%d %H:%M"),
        "since_days": review.since_days,
        "oldest_message": _date(review.oldest) if review.oldest else None,
        "retention_days": review.retention_days,
        "messages": messages,
    }
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def write(review: Review, out: Path, intents: list[str], therapies: list[str]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    html_path, yml_path = out / "review.html", out / "review.yml"
    html_path.write_text(html(review), encoding="utf-8")
    yml_path.write_text(review_yml(review, intents, therapies), encoding="utf-8")
    return html_path, yml_path
