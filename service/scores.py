"""Counts, accuracies and the micro-averaged report of the scorer (`service/evaluation.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

_TYPES = ("actors", "calls", "claims")
_ACCURACIES = (
    ("call_date", "call date"),
    ("call_medium", "call medium"),
    ("claim_status", "evidence status"),
    ("claim_kind", "claim kind"),
)


@dataclass
class Counts:
    """True positives, false positives and false negatives for one item type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Accuracy:
    """Correct decisions over matched pairs."""

    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    def __iadd__(self, other: Accuracy) -> Accuracy:
        self.correct += other.correct
        self.total += other.total
        return self

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass
class ArticleScore:
    """Matching result for one article."""

    name: str
    actors: Counts = field(default_factory=Counts)
    calls: Counts = field(default_factory=Counts)
    claims: Counts = field(default_factory=Counts)
    call_date: Accuracy = field(default_factory=Accuracy)
    call_medium: Accuracy = field(default_factory=Accuracy)
    claim_status: Accuracy = field(default_factory=Accuracy)
    claim_kind: Accuracy = field(default_factory=Accuracy)
    actor_matches: dict[str, str] = field(default_factory=dict)
    call_matches: dict[str, str] = field(default_factory=dict)
    claim_matches: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """Micro-averaged scores over a set of articles."""

    articles: list[ArticleScore]
    actors: Counts
    calls: Counts
    claims: Counts
    call_date: Accuracy
    call_medium: Accuracy
    claim_status: Accuracy
    claim_kind: Accuracy

    def table(self) -> str:
        """Render a plain-text table."""
        lines = [
            f"{len(self.articles)} article(s)",
            f"{'type':<16}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}",
        ]
        for kind in _TYPES:
            c: Counts = getattr(self, kind)
            lines.append(
                f"{kind:<16}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}"
                f"{c.tp:>6}{c.fp:>6}{c.fn:>6}"
            )
        lines.append(f"{'accuracy (matched pairs)':<30}{'acc':>7}{'n':>6}")
        for attr, label in _ACCURACIES:
            acc: Accuracy = getattr(self, attr)
            value = "n/a" if acc.value is None else f"{acc.value:.3f}"
            lines.append(f"{label:<30}{value:>7}{acc.total:>6}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary, with per-article counts."""
        out: dict[str, Any] = {"articles": len(self.articles)}
        for kind in _TYPES:
            c: Counts = getattr(self, kind)
            out[kind] = {
                "precision": c.precision,
                "recall": c.recall,
                "f1": c.f1,
                **asdict(c),
            }
        for attr, _ in _ACCURACIES:
            acc: Accuracy = getattr(self, attr)
            out[attr + "_accuracy"] = {"accuracy": acc.value, **asdict(acc)}
        out["per_article"] = [
            {"name": s.name, **{kind: asdict(getattr(s, kind)) for kind in _TYPES}}
            for s in self.articles
        ]
        return out


def aggregate(scores: Iterable[ArticleScore]) -> Report:
    """Sum per-article counts into a micro-averaged report."""
    report = Report(
        [], Counts(), Counts(), Counts(), Accuracy(), Accuracy(), Accuracy(), Accuracy()
    )
    for s in scores:
        report.articles.append(s)
        for kind in _TYPES:
            total: Counts = getattr(report, kind)
            total += getattr(s, kind)
        for attr, _ in _ACCURACIES:
            acc: Accuracy = getattr(report, attr)
            acc += getattr(s, attr)
    return report
