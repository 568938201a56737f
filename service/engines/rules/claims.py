"""Claims: speech acts with their claimant, quote and what the article says of their truth."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from schemas.contract import ActorKind, ClaimKind, EvidenceStatus
from service.engines.rules.actors import ActorRecord
from service.engines.rules.attributions import according
from service.engines.rules.claim_kinds import clause_kind, content_kind
from service.engines.rules.cues import ClaimCues, EvidenceCues
from service.engines.rules.evidence import Statuses
from service.engines.rules.headlines import headline_claims
from service.engines.rules.introduced import introduced_quote
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import subjects

_QUOTE = re.compile(r"[\"\u201c\u201d\u201e]([^\"\u201c\u201d\u201e]{3,}?)[\"\u201c\u201d\u201e]")
_NESTING = {"ccomp", "conj", "xcomp"}
# "X said she had urged ...": one speech act by X, reported by the inner verb.
_REPORTED = {"ccomp", "xcomp"}


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
    also: list[int] = field(default_factory=list)  # a headline restating it


def _kind(token: Token, cues: ClaimCues) -> ClaimKind | None:
    word = token.lower_
    for child in token.children:
        if child.dep_ in {"prt", "prep"} and (word, child.lower_) in cues.phrases:
            return cues.phrases[(word, child.lower_)]
        if child.dep_ == "prt" and child.lower_ in cues.not_speech_particles:
            return None  # "called off the meeting"
    if word in cues.refusals and any(
        (c.dep_ == "xcomp" and c.lower_ in cues.acceptance) or _explained(c, cues)
        for c in token.children
    ):
        return ClaimKind.denial  # "refused to accept the findings", "refused to pay, saying"
    if word in cues.content_only and not any(
        c.dep_ in {"ccomp", "parataxis"} for c in token.children
    ):
        return None  # "acknowledged a circular": no statement reported
    return cues.verbs.get(word)


def _explained(child: Token, cues: ClaimCues) -> bool:
    """A participle that gives the reasons of a rejection ("rejected the plan, saying ..."):
    the rejection is a statement whatever was rejected."""
    return child.dep_ == "advcl" and child.tag_ == "VBG" and child.lower_ in cues.continuing


def _nesting(inner: Token) -> set[str]:
    """Relations a claim climbs to the report that relays it; a participle's claim also
    climbs its adverbial clause ("X spoke with Y, urging ..., his spokeswoman said")."""
    return _NESTING | {"advcl"} if inner.tag_ == "VBG" and inner.dep_ == "advcl" else _NESTING


def _descends(inner: Token, outer: Token, through: set[str]) -> bool:
    """Whether `inner` stands in a clause under `outer`, climbing only `through` relations."""
    current = inner
    while current.i != outer.i:
        if current.dep_ not in through or current.head.i == current.i:
            return False
        current = current.head
    return True


class ClaimFinder:
    """Finds claims in a reading and sets their evidence status."""

    def __init__(self, cues: ClaimCues, evidence: EvidenceCues) -> None:
        self.cues = cues
        self.evidence = evidence
        self.statuses = Statuses(cues, evidence)

    def find(self, reading: Reading) -> list[FoundClaim]:
        """Every claim of the article, in order, with evidence status."""
        claims: list[FoundClaim] = []
        for sentence in reading.sentences:
            if sentence.number == 1 and reading.headline:
                continue
            here = [c for t in sentence.tokens if (c := self._claim(reading, sentence, t))]
            for outer in here:
                for inner in here:
                    if (
                        inner is not outer
                        and outer.claimant.affiliation is not None
                        and outer.claimant.affiliation in inner.claimant.forms()
                        and _descends(inner.trigger, outer.trigger, _REPORTED)
                    ):
                        # "Varga said Turkey had offered ...": his own side's act, his claim.
                        inner.claimant = outer.claimant
            here = [
                c
                for c in here
                if not any(
                    o is not c
                    and (
                        _descends(o.trigger, c.trigger, _nesting(o.trigger))
                        if o.claimant is not c.claimant
                        else _descends(o.trigger, c.trigger, _REPORTED)
                    )
                    for o in here
                )
            ]
            if not here:
                here = self._according(reading, sentence) or self._introduced(reading, sentence)
            for claim in here:
                reading.remember(sentence, claim.trigger, claim.claimant)
            claims.extend(here)
            self._note_subjects(reading, sentence)
        claims[:0] = headline_claims(
            self.cues,
            reading,
            claims,
            lambda t: _kind(t, self.cues),
            lambda s, t, k, a: self._build(reading, s, t, k, a, t),
        )
        self.statuses.settle(reading, claims)
        return claims

    def _note_subjects(self, reading: Reading, sentence: Sentence) -> None:
        for token in sentence.tokens:
            if token.dep_ == "nsubj" and token.head.dep_ == "ROOT":
                actor = reading.resolve(sentence, token, create=False)
                if actor is not None and actor.kind is not ActorKind.state:
                    reading.remember(sentence, token, actor)

    def _according(self, reading: Reading, sentence: Sentence) -> list[FoundClaim]:
        """ "..., according to X": X's claim, when no speech verb of the sentence reports it."""
        found = according(reading, sentence, self.cues)
        if found is None:
            return []
        claimant, anchor = found
        claim = self._build(reading, sentence, anchor, ClaimKind.assertion, claimant, anchor)
        return [claim] if claim is not None else []

    def _introduced(self, reading: Reading, sentence: Sentence) -> list[FoundClaim]:
        """A quote a colon introduces after its speaker ("X was blunt: "...""): X's claim."""
        found = introduced_quote(reading, sentence)
        if found is None:
            return []
        speaker, root, verb = found
        kind = (
            _kind(verb, self.cues)
            or clause_kind(self.cues, reading, sentence, root, speaker)
            or ClaimKind.assertion
        )
        claim = self._build(reading, sentence, root, kind, speaker, root)
        if claim is None:
            return []
        claim.reacts = _kind(verb, self.cues) is ClaimKind.denial  # not what the quote rejects
        return [claim]

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
        if (
            token.tag_ == "VBG"
            and token.dep_ == "advcl"
            and token.head.lower_ in cues.statements
            and _kind(token.head, cues) is None  # "called on X to ..., saying": one claim
        ):
            kind = cues.participles.get(token.lower_)
            heads = subjects(token.head)
            if kind is None or not heads:
                return None
            # "X spoke with Y on Monday, urging both to ...": X's claim
            claimant = reading.resolve(sentence, heads[0])
            return self._build(reading, sentence, token, kind, claimant, token)
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
            if child.dep_ == "dobj" and any(d.lower_ == "no" for d in child.children):
                return None  # "offered no evidence": an evidence cue, not a speech act
        if kind is ClaimKind.denial and token.lower_ in {"rejected", "rejects", "dismissed"}:
            objects = [c for c in token.children if c.dep_ == "dobj"]
            as_what = any(c.lower_ == "as" for o in (token, *objects) for c in o.children)
            explained = any(_explained(c, cues) for c in token.children)
            if not (as_what or explained) and not any(
                o.lower_ in self.evidence.back_references or o.lower_ in cues.rejectable
                for o in objects
            ):
                return None
        heads = subjects(token) or _ancestor_subjects(token)
        if not heads or heads[0].lower_ in cues.not_speakers:
            return None  # "talks between X and Y threatened to ...": no one spoke
        claimant = reading.resolve(sentence, heads[0])
        if (
            token.dep_ == "conj"
            and claimant is not None
            and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in token.children)
        ):
            claimant = self._speaking_person(reading, sentence, token, claimant)
        return self._build(reading, sentence, token, kind, claimant, token)

    def _speaking_person(
        self, reading: Reading, sentence: Sentence, token: Token, inherited: ActorRecord
    ) -> ActorRecord:
        """The one person who speaks in the sentence, for a coordinated speech verb whose
        subject the parse lends from a state or body ("the ministry said Tan had urged ... and
        warned ...", "Tan said Arvland opposed ... and urged ...")."""
        if inherited.kind is ActorKind.person:
            return inherited
        people = {
            actor.id: actor
            for t in (*token.ancestors, *token.head.subtree)
            if t.tag_.startswith("VB") and _kind(t, self.cues) is not None
            for s in t.children
            if s.dep_ == "nsubj"
            and (actor := reading.resolve(sentence, s, create=False)) is not None
            and actor.kind is ActorKind.person
        }
        return next(iter(people.values())) if len(people) == 1 else inherited

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
        tree = list(anchor.subtree)  # spaCy walks a subtree recursively on every pass
        content = [t for t in tree if t.dep_ not in {"nsubj", "nsubjpass"}]
        span_lo = min(sentence.start(t) for t in tree) - lo
        span_hi = max(sentence.end(t) for t in tree) - lo
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
        if kind is ClaimKind.assertion:
            kind = content_kind(self.cues, reading, sentence, anchor, claimant) or kind
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
