"""Headlines: a present-tense speech act on the article's first line ("Port union warns of
strike") is a claim; restating a claim of the body by the same claimant, it is that claim's
extra evidence (tests/gold/GUIDELINES.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from spacy.tokens import Token

from schemas.contract import ActorKind, ClaimKind
from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import ClaimCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import subjects

# The present tense a headline reports speech in ("says", "warn").
_PRESENT = {"VBZ", "VBP"}
_MIN_WORD = 4
# "Valdoran" and "Valdora": a demonym no state list knows shares all but its ending.
_STEM_SLACK = 2

Kind = Callable[[Token], ClaimKind | None]


class Said(Protocol):
    """What `restated` reads of a claim."""

    @property
    def claimant(self) -> ActorRecord: ...
    @property
    def kind(self) -> ClaimKind: ...
    @property
    def statement(self) -> str: ...
    @property
    def also(self) -> list[int]: ...


S = TypeVar("S", bound=Said)


def headline_claims(
    cues: ClaimCues,
    reading: Reading,
    body: Sequence[S],
    kind_of: Kind,
    build: Callable[[Sentence, Token, ClaimKind, ActorRecord], S | None],
) -> list[S]:
    """Headline claims the body does not report; a body claim the headline restates cites
    the headline (sentence 1) too."""
    found: list[S] = []
    for sentence, token, kind, claimant in headline_speech(reading, kind_of):
        claim = build(sentence, token, kind, claimant)
        if claim is None:
            continue
        same = restated(cues, claim.statement, claim.kind, claimant, body)
        if same is None and claimant.kind is not ActorKind.state:
            found.append(claim)  # a state heads the news for a speaker of the body, or none
        elif same is not None and 1 not in same.also:
            same.also.append(1)
    return found


def headline_speech(
    reading: Reading, kind_of: Kind
) -> list[tuple[Sentence, Token, ClaimKind, ActorRecord]]:
    """Each present-tense speech verb of the headline whose subject names a known actor."""
    if not reading.headline or not reading.sentences:
        return []
    sentence = reading.sentences[0]
    found = []
    for token in sentence.tokens:
        if token.tag_ not in _PRESENT or any(c.dep_ == "neg" for c in token.children):
            continue
        kind = kind_of(token)
        heads = subjects(token)
        if kind is None or not heads:
            continue
        claimant = reading.resolve(sentence, heads[0], create=False) or described_actor(
            reading, heads[0]
        )
        if claimant is not None:
            found.append((sentence, token, kind, claimant))
    return found


def described_actor(reading: Reading, head: Token) -> ActorRecord | None:
    """The one actor of the body a headline's description fits ("Valdoran minister",
    "Mayor", "Port union"): its head word in the actor's role or name, every other word
    there too or naming the actor's side."""
    words = [t for t in head.lefts if t.dep_ in {"compound", "amod"}]
    fitting = []
    for actor in reading.book.actors:
        if actor.kind is ActorKind.state:
            continue
        own = {w.lower() for w in f"{actor.role or ''} {actor.name}".split()} | actor.heads
        if head.lower_ not in own:
            continue
        sides = [w for w in words if w.lower_ not in own]
        if all(_names_side(reading, w.text, actor.affiliation) for w in sides):
            fitting.append((len(sides), actor))
    if not fitting:
        return None
    best = min(n for n, _ in fitting)
    found = [a for n, a in fitting if n == best]
    return found[0] if len(found) == 1 else None


def _names_side(reading: Reading, word: str, affiliation: str | None) -> bool:
    """Whether a capitalised word may name the side an actor is of (no side known: any)."""
    if not word[:1].isupper():
        return False
    if affiliation is None:
        return True
    state = reading.book.state_of(word)
    if state is not None:
        return state.name == affiliation or affiliation in state.forms
    stem = min(len(word), len(affiliation)) - _STEM_SLACK
    return stem >= _MIN_WORD and word[:stem].lower() == affiliation[:stem].lower()


def content_words(text: str, cues: ClaimCues, names: set[str]) -> set[str]:
    """The words of a statement long enough to tell it apart, less its claimant's names."""
    words = {w.strip(".,;:!?\"'\u2018\u2019\u201c\u201d()").lower() for w in text.split()}
    return {
        w
        for w in words
        if len(w) >= _MIN_WORD
        and w.isalpha()
        and w not in cues.stopwords
        and w not in cues.verbs
        and w not in names
    }


def restated(
    cues: ClaimCues, headline: str, kind: ClaimKind, claimant: ActorRecord, body: Sequence[S]
) -> S | None:
    """The body claim the headline restates: by the same claimant (for a state, by anyone of
    its side), sharing content words, else of the same kind."""
    names = {w.lower() for form in claimant.forms() for w in form.split()}
    own = content_words(headline, cues, names)
    sides = set(claimant.forms()) if claimant.kind is ActorKind.state else set()
    theirs = [c for c in body if c.claimant is claimant or c.claimant.affiliation in sides - {""}]
    shared = [c for c in theirs if own & content_words(c.statement, cues, names)]
    if shared:
        return max(shared, key=lambda c: len(own & content_words(c.statement, cues, names)))
    return next((c for c in theirs if c.kind is kind), None)
