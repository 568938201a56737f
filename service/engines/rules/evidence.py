"""What the article says of a claim's truth: denials and confirmations that answer it, and
evidence phrases ("provided no evidence", "could not be verified") near it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from schemas.contract import ClaimKind, EvidenceStatus
from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import ClaimCues, EvidenceCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import subjects

if TYPE_CHECKING:
    from service.engines.rules.claims import FoundClaim

_REACTIVE = {EvidenceStatus.disputed, EvidenceStatus.supported}
_REACH = 3  # sentences back that a denial or confirmation may answer
_ACCUSATION_REACH = 6  # ... and that a denial may answer an accusation
_CONTESTABLE = {
    ClaimKind.assertion,
    ClaimKind.accusation,
    ClaimKind.assessment,
    ClaimKind.warning,
    ClaimKind.threat,
}


class Statuses:
    """Sets the evidence status and the disputers of the claims of one article."""

    def __init__(self, cues: ClaimCues, evidence: EvidenceCues) -> None:
        self.cues = cues
        self.evidence = evidence

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

    def settle(self, reading: Reading, claims: list[FoundClaim]) -> None:
        """Set each claim's evidence status from reactions and evidence phrases."""
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
            words = [t.lower_ for t in sentence.tokens]
            present = set(words)
            for status, phrases in self.evidence.phrases:
                if status in _REACTIVE:
                    continue
                for phrase in phrases:
                    if not present.issuperset(phrase):
                        continue
                    for i in _positions(words, phrase):
                        self._apply(reading, sentence, claims, status, sentence.tokens[i])

    def _earlier(self, claims: list[FoundClaim], claim: FoundClaim) -> FoundClaim | None:
        """The claim a reaction answers: a recent one by someone else, sharing words if any."""
        recent = [
            other
            for other in claims[: claims.index(claim)]
            if other.sentence >= claim.sentence - _REACH and other.claimant is not claim.claimant
        ]
        objects = [c for c in claim.trigger.children if c.dep_ == "dobj"]
        if any(o.lower_ in self.evidence.back_references for o in objects):
            # "dismissed that explanation": the last statement, a denial's reasons included
            answered = [o for o in recent if _contestable(o) or _reasoned(o)]
            return answered[-1] if answered else None
        candidates = [o for o in recent if _contestable(o)]
        accusations = [
            o
            for o in claims[: claims.index(claim)]
            if o.kind is ClaimKind.accusation
            and not o.reacts
            and o.claimant is not claim.claimant
            and o.sentence >= claim.sentence - _ACCUSATION_REACH
        ]
        if claim.kind is ClaimKind.denial and accusations:
            # a denial answers an accusation, also one a few paragraphs back, before any other
            return accusations[-1]
        if not candidates:
            return None
        stop = self.cues.stopwords
        words = _content_words(claim.trigger, stop)
        best = max(
            candidates, key=lambda o: (len(words & _content_words(o.trigger, stop)), o.sentence)
        )
        if words & _content_words(best.trigger, stop) or best.sentence >= claim.sentence - 1:
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
        verb = cue
        while not verb.tag_.startswith("VB") and verb.head.i != verb.i:
            verb = verb.head
        heads = subjects(verb) + [c for c in verb.children if c.dep_ == "nsubjpass"]
        if any(d.lower_ in {"neither", "both"} for h in heads for d in h.children):
            # "Neither account could be verified": the last two claims, each side's
            for claim in previous[-2:]:
                self._set(claim, status, None)
        elif previous:
            self._set(previous[-1], status, None)


def _contestable(claim: FoundClaim) -> bool:
    return not claim.reacts and claim.kind in _CONTESTABLE


def _reasoned(claim: FoundClaim) -> bool:
    """A denial that gives its reasons ("dismissed the allegation, saying ...")."""
    return claim.kind is ClaimKind.denial and any(
        c.dep_ == "advcl" and c.tag_ == "VBG" for c in claim.trigger.children
    )


def _content_words(trigger: Token, stop: frozenset[str]) -> set[str]:
    return {
        t.lower_
        for t in trigger.subtree
        if t.is_alpha and len(t.text) > 3 and t.lower_ not in stop and t.dep_ != "nsubj"
    }


def _positions(words: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]
