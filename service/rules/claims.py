"""Claims: speech acts with their claimant, quote and what the article says of their truth."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from schemas.contract import ActorKind, ClaimKind, EvidenceStatus
from service.rules.actors import ActorRecord
from service.rules.calls import subjects
from service.rules.cues import ClaimCues, EvidenceCues
from service.rules.reading import Reading, Sentence

_QUOTE = re.compile(r"[\"\u201c\u201d\u201e]([^\"\u201c\u201d\u201e]{3,}?)[\"\u201c\u201d\u201e]")
_NESTING = {"ccomp", "conj", "xcomp"}
_REACTIVE = {EvidenceStatus.disputed, EvidenceStatus.supported}
_REACH = 3  # sentences back that a denial or confirmation may answer
_CONTESTABLE = {ClaimKind.assertion, ClaimKind.accusation, ClaimKind.assessment, ClaimKind.warning}
_STOP = {
    "that",
    "this",
    "these",
    "those",
    "with",
    "from",
    "have",
    "been",
    "were",
    "would",
    "will",
    "said",
    "their",
    "there",
    "which",
    "about",
    "into",
    "than",
    "they",
    "them",
}


@dataclass(slots=True)
class FoundClaim:
    """A claim before validation."""

    claimant: ActorRecord
    kind: ClaimKind
    sentence: int
    trigger: Token
    statement: str
    quote: str | None = None
    about: list[ActorRecord] = field(default_factory=list)
    status: EvidenceStatus = EvidenceStatus.not_addressed
    disputed_by: list[ActorRecord] = field(default_factory=list)
    reacts: bool = False


def _kind(token: Token, cues: ClaimCues) -> ClaimKind | None:
    word = token.lower_
    for child in token.children:
        if child.dep_ in {"prt", "prep"} and (word, child.lower_) in cues.phrases:
            return cues.phrases[(word, child.lower_)]
    return cues.verbs.get(word)


def _descends(inner: Token, outer: Token) -> bool:
    current = inner
    while current.i != outer.i:
        if current.dep_ not in _NESTING or current.head.i == current.i:
            return False
        current = current.head
    return True


class ClaimFinder:
    """Finds claims in a reading and sets their evidence status."""

    def __init__(self, cues: ClaimCues, evidence: EvidenceCues) -> None:
        self.cues = cues
        self.evidence = evidence

    def find(self, reading: Reading) -> list[FoundClaim]:
        """Every claim of the article, in order, with evidence status."""
        claims: list[FoundClaim] = []
        for sentence in reading.sentences:
            if sentence.number == 1 and reading.headline:
                continue
            here = [c for t in sentence.doc if (c := self._claim(reading, sentence, t))]
            here = [
                c
                for c in here
                if not any(
                    o is not c and o.claimant is not c.claimant and _descends(o.trigger, c.trigger)
                    for o in here
                )
            ]
            for claim in here:
                reading.remember(sentence, claim.trigger, claim.claimant)
            claims.extend(here)
            self._note_subjects(reading, sentence)
        self._statuses(reading, claims)
        return claims

    def _note_subjects(self, reading: Reading, sentence: Sentence) -> None:
        for token in sentence.doc:
            if token.dep_ == "nsubj" and token.head.dep_ == "ROOT":
                actor = reading.resolve(sentence, token, create=False)
                if actor is not None and actor.kind is ActorKind.person:
                    reading.remember(sentence, token, actor)

    def _claim(self, reading: Reading, sentence: Sentence, token: Token) -> FoundClaim | None:
        if not token.tag_.startswith("VB"):
            return None
        cues = self.cues
        if token.lower_ in cues.quoted:
            passive = [c for c in token.children if c.dep_ == "nsubjpass"]
            saying = next((t for t in token.subtree if t.lower_ in cues.continuing), None)
            if not passive or saying is None:
                return None
            claimant = reading.resolve(sentence, passive[0])
            return self._build(reading, sentence, saying, ClaimKind.assertion, claimant, token)
        kind = _kind(token, cues)
        if kind is None:
            return None
        if token.tag_ == "VBG" and token.lower_ in cues.continuing:
            return None
        if token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children):
            return None
        for child in token.children:
            if child.dep_ == "neg" or (child.dep_ == "aux" and child.tag_ == "TO"):
                return None
        if kind is ClaimKind.denial and token.lower_ in {"rejected", "rejects", "dismissed"}:
            objects = [c for c in token.children if c.dep_ == "dobj"]
            if not any(o.lower_ in self.evidence.back_references for o in objects):
                return None
        heads = subjects(token) or _ancestor_subjects(token)
        if not heads:
            return None
        claimant = reading.resolve(sentence, heads[0])
        return self._build(reading, sentence, token, kind, claimant, token)

    def _build(
        self,
        reading: Reading,
        sentence: Sentence,
        token: Token,
        kind: ClaimKind,
        claimant: ActorRecord | None,
        anchor: Token,
    ) -> FoundClaim | None:
        if claimant is None:
            return None
        lo, hi = reading.article.sentence(sentence.number)
        text = reading.article.text[lo:hi]
        content = [t for t in anchor.subtree if t.dep_ not in {"nsubj", "nsubjpass"}]
        span_lo = min(sentence.start(t) for t in anchor.subtree) - lo
        span_hi = max(sentence.end(t) for t in anchor.subtree) - lo
        quote = None
        for match in _QUOTE.finditer(text):
            inside = span_lo - 2 <= match.start() and match.end() <= span_hi + 2
            if inside and (quote is None or len(match.group(1)) > len(quote)):
                quote = match.group(1)
        about: list[ActorRecord] = []
        if content:
            first, last = content[0], content[-1]
            for mention in reading.book.within(sentence.start(first), sentence.end(last)):
                if mention.actor is not claimant and mention.actor not in about:
                    about.append(mention.actor)
        reacts = kind is ClaimKind.denial or token.lower_ in {"confirmed", "confirms"}
        return FoundClaim(
            claimant=claimant,
            kind=kind,
            sentence=sentence.number,
            trigger=anchor,
            statement=text.strip(),
            quote=quote,
            about=about,
            reacts=reacts,
        )

    # --------------------------------------------------------------- evidence

    def _set(self, claim: FoundClaim, status: EvidenceStatus, by: ActorRecord | None) -> None:
        if self.evidence.rank(status) < self.evidence.rank(claim.status):
            claim.status = status
        contested = status in {EvidenceStatus.disputed, EvidenceStatus.refuted}
        if (
            contested
            and by is not None
            and by is not claim.claimant
            and by not in claim.disputed_by
        ):
            claim.disputed_by.append(by)

    def _statuses(self, reading: Reading, claims: list[FoundClaim]) -> None:
        for claim in claims:
            if claim.reacts:
                target = self._earlier(claims, claim)
                if target is not None:
                    status = (
                        EvidenceStatus.supported
                        if claim.trigger.lower_ in {"confirmed", "confirms"}
                        else EvidenceStatus.disputed
                    )
                    self._set(target, status, claim.claimant)
        for sentence in reading.sentences:
            words = [t.lower_ for t in sentence.doc]
            present = set(words)
            for status, phrases in self.evidence.phrases:
                if status in _REACTIVE:
                    continue
                for phrase in phrases:
                    if not present.issuperset(phrase):
                        continue
                    for i in _positions(words, phrase):
                        self._apply(reading, sentence, claims, status, sentence.doc[i])

    def _earlier(self, claims: list[FoundClaim], claim: FoundClaim) -> FoundClaim | None:
        """The claim a reaction answers: a recent one by someone else, sharing words if any."""
        candidates = [
            other
            for other in claims[: claims.index(claim)]
            if other.sentence >= claim.sentence - _REACH
            and other.claimant is not claim.claimant
            and not other.reacts
            and other.kind in _CONTESTABLE
        ]
        if not candidates:
            return None
        objects = [c for c in claim.trigger.children if c.dep_ == "dobj"]
        if any(o.lower_ in self.evidence.back_references for o in objects):
            return candidates[-1]
        words = _content_words(claim.trigger)
        best = max(candidates, key=lambda o: (len(words & _content_words(o.trigger)), o.sentence))
        if words & _content_words(best.trigger) or best.sentence >= claim.sentence - 1:
            return best
        return None

    def _apply(
        self,
        reading: Reading,
        sentence: Sentence,
        claims: list[FoundClaim],
        status: EvidenceStatus,
        cue: Token,
    ) -> None:
        here = [c for c in claims if c.sentence == sentence.number]
        for claim in here:
            if cue in list(claim.trigger.subtree):
                if claim.reacts:
                    target = self._earlier(claims, claim)
                    if target is not None:
                        self._set(target, status, claim.claimant)
                    return
                self._set(claim, status, None)
                return
        if here:
            return
        root = cue
        while root.dep_ not in {"ROOT"} and root.head.i != root.i:
            root = root.head
        for head in subjects(root) + [c for c in root.children if c.dep_ == "nsubjpass"]:
            owner = None
            poss = [c for c in head.children if c.dep_ == "poss"]
            for candidate in (*poss, head):
                owner = owner or reading.resolve(sentence, candidate, create=False)
            if owner is not None:
                for claim in reversed(claims):
                    if claim.sentence < sentence.number and claim.claimant is owner:
                        if claim.sentence >= sentence.number - 6:
                            self._set(claim, status, None)
                        return
        previous = [c for c in claims if sentence.number - 2 <= c.sentence < sentence.number]
        if previous:
            self._set(previous[-1], status, None)


def _ancestor_subjects(token: Token) -> list[Token]:
    """The subject of the nearest verb above a coordinated verb the parser attached too low."""
    if token.dep_ != "conj":
        return []
    current = token.head
    while current.head.i != current.i:
        current = current.head
        found = [c for c in current.children if c.dep_ == "nsubj"]
        if found and current.tag_.startswith("VB"):
            return found
    return []


def _content_words(trigger: Token) -> set[str]:
    return {
        t.lower_
        for t in trigger.subtree
        if t.is_alpha and len(t.text) > 3 and t.lower_ not in _STOP and t.dep_ != "nsubj"
    }


def _positions(words: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]
