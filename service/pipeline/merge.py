"""The parts of a long article merged into one draft.

Rules (each chunk's draft has already passed the item checks):
- actors are one entity when a name of one is a name or alias of the other, or when one is a
  person named by a single word that is the other person's surname; the merged actor takes the
  fullest name, every other form as an alias, the first role and affiliation given, and the
  kind most of its declarations give (the earliest on a tie);
- calls are one call when their participants are the same and so is their date, or when they
  cite a common sentence of their own (not only the shared opening), share two participants and
  their dates do not differ; the merged call has the union of participants and evidence;
- claims are one claim when the claimant is the same and their evidence overlaps;
- items are ordered by first mention (their first cited sentence), so that grounding numbers
  them A1…, C1…, K1… across the whole article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from schemas.article import fold
from schemas.contract import ActorKind, EvidenceStatus, Medium, Rejected, Usage
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft, Extraction
from service.pipeline.chunks import Part
from service.pipeline.repairs import Settled

_KEY_POINTS = 5


def merge(parts: Sequence[Part], opening: tuple[int, ...]) -> Settled:
    """One settled draft from every chunk that answered; failed chunks are listed as such."""
    done = [(p.chunk.number, p.settled) for p in parts if p.settled is not None]
    usage = Usage()
    attempts = repairs = 0
    rejected: list[Rejected] = []
    warnings: list[str] = []
    for part in parts:
        source = part.settled or part.error
        if source is None:
            continue
        attempts += source.attempts
        usage.add(source.usage.prompt_tokens, source.usage.completion_tokens)
        if part.settled is not None:
            repairs += part.settled.repairs
            n = part.chunk.number
            rejected += [
                r.model_copy(update={"ref": f"chunk {n}: {r.ref}"}) for r in part.settled.rejected
            ]
            warnings += [f"chunk {n}: {w}" for w in part.settled.warnings]
        elif part.error is not None:
            own = part.chunk.own
            span = f"{own[0]}-{own[-1]}" if len(own) > 1 else str(own[0])
            reason = f"sentences {span} not covered: {part.error.title.lower()}"
            rejected.append(Rejected(kind="chunk", ref=f"chunk {part.chunk.number}", reason=reason))
            warnings.append(f"chunk {part.chunk.number}: {reason}")
    actors, key = _actors(done)
    calls = _calls(done, key, set(opening))
    claims = _claims(done, key, set(opening))
    first = done[0][1].draft
    points: list[str] = []
    for _, settled in done:
        for point in settled.draft.key_points[:2]:
            if point not in points and len(points) < _KEY_POINTS:
                points.append(point)
    draft = Extraction.model_construct(
        summary=first.summary, key_points=points, actors=actors, calls=calls, claims=claims
    )
    return Settled(
        draft=draft,
        attempts=attempts,
        usage=usage,
        repairs=repairs,
        rejected=rejected,
        warnings=warnings,
    )


def _folded(text: str) -> str:
    return fold(text, loose=True).text


class _Groups:
    """Actors grouped into entities, found through indexes rather than pairwise comparison."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.members: list[list[tuple[str, ActorDraft]]] = []
        self.forms: dict[str, set[int]] = {}  # any name or alias -> groups
        self.names: dict[str, set[int]] = {}  # a declared name -> groups
        self.surnames: dict[str, set[int]] = {}  # last word of a person's full name -> groups
        self.single: dict[str, set[int]] = {}  # a person named by one word -> groups

    def find(self, group: int) -> int:
        while self.parent[group] != group:
            self.parent[group] = self.parent[self.parent[group]]
            group = self.parent[group]
        return group

    def add(self, tag: str, actor: ActorDraft) -> None:
        name = _folded(actor.name)
        forms = {_folded(form) for form in actor.surface_forms()}
        words = name.split()
        person = actor.kind == ActorKind.person
        found = set(self.forms.get(name, ())) | {g for f in forms for g in self.names.get(f, ())}
        if person and len(words) == 1:
            found |= self.surnames.get(words[0], set())
        elif person and words:
            found |= self.single.get(words[-1], set())
        roots = sorted({self.find(g) for g in found})
        group = len(self.parent)
        self.parent.append(group)
        self.members.append([(tag, actor)])
        for root in roots:
            self.parent[root] = group
            self.members[group] += self.members[root]
            self.members[root] = []
        for form in forms:
            self.forms.setdefault(form, set()).add(group)
        self.names.setdefault(name, set()).add(group)
        if person and len(words) == 1:
            self.single.setdefault(words[0], set()).add(group)
        elif person and words:
            self.surnames.setdefault(words[-1], set()).add(group)

    def groups(self) -> list[list[tuple[str, ActorDraft]]]:
        """Each entity's declarations, in order of the first declaration."""
        found = [m for g, m in enumerate(self.members) if m and self.find(g) == g]
        return sorted(found, key=lambda m: min(int(t.split(":")[0]) for t, _ in m))


def _actors(done: list[tuple[int, Settled]]) -> tuple[list[ActorDraft], dict[str, str]]:
    """Unified actors, and each chunk's actor key (`"2:A3"`) mapped to the unified key."""
    index = _Groups()
    for n, settled in done:
        for actor in settled.draft.actors:
            index.add(f"{n}:{actor.id}", actor)
    unified: list[ActorDraft] = []
    key: dict[str, str] = {}
    for number, group in enumerate(index.groups(), start=1):
        declared = [actor for _, actor in group]
        fullest = max(declared, key=lambda a: (len(a.name.split()), len(a.name)))
        kinds = Counter(a.kind for a in declared)
        kind = max(kinds, key=lambda k: (kinds[k], -[a.kind for a in declared].index(k)))
        seen = {_folded(fullest.name)}
        aliases: list[str] = []
        for form in (f for a in declared for f in a.surface_forms()):
            folded = _folded(form)
            if folded not in seen:
                seen.add(folded)
                aliases.append(form)
        unified.append(
            ActorDraft(
                id=f"A{number}",
                name=fullest.name,
                kind=kind,
                role=next((a.role for a in declared if a.role), None),
                affiliation=next((a.affiliation for a in declared if a.affiliation), None),
                aliases=aliases,
            )
        )
        key.update({tag: f"A{number}" for tag, _ in group})
    return unified, key


def _remap(n: int, refs: list[str], key: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(key[f"{n}:{r}"] for r in refs if f"{n}:{r}" in key))


def _calls(
    done: list[tuple[int, Settled]], key: dict[str, str], opening: set[int]
) -> list[CallDraft]:
    merged: list[CallDraft] = []
    for n, settled in done:
        for call in settled.draft.calls:
            mine = call.model_copy(
                update={
                    "participants": _remap(n, call.participants, key),
                    "readout_by": _remap(n, call.readout_by, key),
                    "initiator": key.get(f"{n}:{call.initiator}") if call.initiator else None,
                }
            )
            other = next((c for c in merged if _same_call(c, mine, opening)), None)
            if other is None:
                merged.append(mine)
                continue
            other.participants = list(dict.fromkeys([*other.participants, *mine.participants]))
            other.readout_by = list(dict.fromkeys([*other.readout_by, *mine.readout_by]))
            other.sentences = sorted({*other.sentences, *mine.sentences})
            other.topics = list(dict.fromkeys([*other.topics, *mine.topics]))
            other.initiator = other.initiator or mine.initiator
            other.outcome = other.outcome or mine.outcome
            if other.medium is Medium.unknown:
                other.medium = mine.medium
            if other.date is None and mine.date is not None:
                other.date, other.date_text = mine.date, mine.date_text
    merged.sort(key=lambda c: c.sentences[0])
    for number, call in enumerate(merged, start=1):
        call.id = f"C{number}"
    return merged


def _same_call(a: CallDraft, b: CallDraft, opening: set[int]) -> bool:
    if a.date is not None and b.date is not None and a.date != b.date:
        return False
    if set(a.participants) == set(b.participants) and a.date == b.date and a.date is not None:
        return True
    shared = _shared(a.sentences, b.sentences, opening)
    return shared and len(set(a.participants) & set(b.participants)) >= 2


def _shared(a: list[int], b: list[int], opening: set[int]) -> bool:
    """Whether two citations share a sentence: one beyond the opening that every chunk shows,
    unless both cite the opening only (the same item, extracted by every chunk)."""
    common = set(a) & set(b)
    if set(a) <= opening and set(b) <= opening:
        return bool(common)
    return bool(common - opening)


def _claims(
    done: list[tuple[int, Settled]], key: dict[str, str], opening: set[int]
) -> list[ClaimDraft]:
    merged: list[ClaimDraft] = []
    cited: dict[tuple[str, int], list[int]] = {}  # (claimant, sentence) -> merged claims
    for n, settled in done:
        for claim in settled.draft.claims:
            claimant = key.get(f"{n}:{claim.claimant}")
            if claimant is None:
                continue
            mine = claim.model_copy(
                update={
                    "claimant": claimant,
                    "about": _remap(n, claim.about, key),
                    "disputed_by": _remap(n, claim.disputed_by, key),
                }
            )
            candidates = sorted({i for s in mine.sentences for i in cited.get((claimant, s), ())})
            at = next(
                (i for i in candidates if _shared(merged[i].sentences, mine.sentences, opening)),
                None,
            )
            if at is None:
                merged.append(mine)
                at = len(merged) - 1
            else:
                other = merged[at]
                other.sentences = sorted({*other.sentences, *mine.sentences})
                other.about = list(dict.fromkeys([*other.about, *mine.about]))
                other.disputed_by = list(dict.fromkeys([*other.disputed_by, *mine.disputed_by]))
                other.quote = other.quote or mine.quote
                if other.evidence_status is EvidenceStatus.not_addressed:
                    other.evidence_status = mine.evidence_status
            other = merged[at]
            for sentence in other.sentences:
                slots = cited.setdefault((claimant, sentence), [])
                if at not in slots:
                    slots.append(at)
    merged.sort(key=lambda k: k.sentences[0])
    for number, claim in enumerate(merged, start=1):
        claim.id = f"K{number}"
    return merged
