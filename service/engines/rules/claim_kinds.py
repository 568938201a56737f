"""The kind a neutral report ("said", "told") takes from what it reports."""

from __future__ import annotations

import re

from spacy.tokens import Token

from schemas.contract import ActorKind, ClaimKind
from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import ClaimCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence

# The city of a dateline ("SARVIK, May 2 (Agency) - ").
_DATELINE_CITY = re.compile(
    r"([A-Z\u00c0-\u017f][A-Z\u00c0-\u017f .'\u2019-]*?)(?:,| \(| [-\u2013\u2014])"
)


def content_kind(
    cues: ClaimCues, reading: Reading, sentence: Sentence, verb: Token, claimant: ActorRecord
) -> ClaimKind | None:
    """The speaker's own side "will" or "is ready to" act -> commitment (a threat when
    conditional: "if the raids go on"); the speaker's side "never" did it -> denial;
    someone else did harm -> accusation; a thing that "was" some quality -> assessment."""
    content = _content(verb, cues)
    return None if content is None else clause_kind(cues, reading, sentence, content, claimant)


def clause_kind(
    cues: ClaimCues, reading: Reading, sentence: Sentence, content: Token, claimant: ActorRecord
) -> ClaimKind | None:
    """The kind of what a clause reports (see `content_kind`); "we will not accept ..." in the
    speaker's own words is a denial."""
    subject = next((c for c in content.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None:
        return None
    pledged = any(
        c.dep_ == "aux" and c.lower_ in cues.commitment_modals for c in content.children
    ) or any(
        t.lower_ in cues.commitment_words
        for t in (content, *(c for c in content.children if c.dep_ == "acomp"))
    )
    own = _own_side(cues, reading, sentence, subject, claimant)
    negated = any(c.dep_ == "neg" or c.lower_ == "never" for c in content.children)
    if negated and subject.lower_ in {"we", "i"} and content.lower_ in cues.acceptance:
        return ClaimKind.denial
    if (
        own
        and content.lower_ in cues.expectations
        and any(c.dep_ == "dobj" for c in content.children)
    ):
        return ClaimKind.appeal  # "told Y that Arvland expected full cooperation"
    if pledged and not own:
        own = _home_side(reading, sentence, subject, claimant)
    if (
        pledged
        and not own
        and any(
            m.dep_ == "mark" and m.lower_ == "unless"
            for v in (content, *(x for x in content.children if x.dep_ == "xcomp"))
            for c in v.children
            if c.dep_ == "advcl"
            for m in c.children
        )
        and reading.resolve(sentence, subject, create=False) is None
    ):
        return ClaimKind.threat  # "said the clinics would close unless ...": nobody else's
    if pledged and own:
        conditional = any(
            m.dep_ == "mark" and m.lower_ in cues.conditions
            for c in content.children
            if c.dep_ == "advcl"
            for m in c.children
        )
        acts = {
            t.lower_
            for a in (content, *(c for c in content.children if c.dep_ == "acomp"))
            for t in (a, *(c for c in a.children if c.dep_ == "xcomp"))
        }
        if conditional or acts & cues.threat_acts:
            return ClaimKind.threat  # "would expel ... unless", "is prepared to impose ..."
        return ClaimKind.commitment
    if any(c.dep_ == "aux" and c.lower_ in cues.appeal_modals for c in content.children):
        return ClaimKind.appeal  # "said the board must resign"
    modal = any(c.tag_ == "MD" for c in content.children)
    if negated and not (pledged or modal) and own and subject.dep_ == "nsubj":
        return ClaimKind.denial  # "said its troops had never entered the zone"
    if not pledged and any(_none_of_ours(c, cues) for c in (content, *content.conjuncts)):
        return ClaimKind.denial  # "said ... and that none of its officers had taken part"
    agent, act = _cleft(content, subject, cues)
    if not own and not pledged and _harm(act, cues) and _named(reading, sentence, agent):
        return ClaimKind.accusation  # "said the Velan navy had rammed a trawler"
    if (
        content.lower_ in cues.copulas
        and any(
            c.dep_ == "acomp" and c.tag_ == "JJ" and c.lower_ not in cues.not_qualities
            for c in content.children
        )
        and subject.tag_ in {"NN", "NNS"}
    ):
        return ClaimKind.assessment
    if content.lower_ in cues.evaluations:
        return ClaimKind.assessment  # "said it welcomed the ceasefire talks"
    return None


def _content(verb: Token, cues: ClaimCues) -> Token | None:
    """The clause a report carries, also under "quoted as saying" and "..., saying"."""
    content = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if content is None and verb.lower_ in cues.continuing:
        return None
    if content is None and verb.dep_ in {"ccomp", "parataxis"} and verb.head.i < verb.i:
        return verb.head  # "Arvland will act unless ..., the minister said"
    if content is None:
        saying = next(
            (
                t
                for c in verb.children
                if c.dep_ in {"advcl", "prep", "xcomp"}
                for t in (c, *c.children)
                if t.lower_ in cues.continuing and t.tag_ == "VBG"
            ),
            None,
        )
        if saying is not None and verb.lower_ in cues.quoted:
            content = next((c for c in saying.children if c.dep_ == "ccomp"), None)
    if content is None:
        # "told journalists after the session that ...": the parse hangs the content clause on
        # the noun before it, but a "that" mark shows it is no relative clause.
        content = next(
            (
                t
                for t in verb.subtree
                if t.dep_ in {"relcl", "acl"}
                and any(c.dep_ == "mark" and c.lower_ == "that" for c in t.children)
            ),
            None,
        )
    return content


def _none_of_ours(clause: Token, cues: ClaimCues) -> bool:
    """A clause whose subject is "none of its/our ..." ("none of its staff had known")."""
    subject = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return (
        subject is not None
        and subject.lower_ in cues.negative_subjects
        and any(t.lower_ in {"its", "our", "my"} for t in subject.subtree)
    )


def _cleft(content: Token, subject: Token, cues: ClaimCues) -> tuple[Token, Token]:
    """(who, act) of a reported clause; "it was Velan troops who fired first" -> (troops,
    fired)."""
    if subject.lower_ == "it" and content.lower_ in cues.copulas:
        for attr in content.children:
            if attr.dep_ == "attr":
                act = next((r for r in attr.children if r.dep_ == "relcl"), None)
                if act is not None:
                    return attr, act
    return subject, content


def _harm(content: Token, cues: ClaimCues) -> bool:
    """Whether a reported clause tells of a hostile act ("had shelled", "was arming")."""
    verbs = (content, *(c for c in content.children if c.dep_ in {"conj", "xcomp"}))
    return any(
        v.lower_ in cues.harm_acts
        or any(o.dep_ == "dobj" and o.lower_ in cues.harm_objects for o in v.children)
        for v in verbs
    ) and not any(c.dep_ == "neg" for c in content.children)


def _named(reading: Reading, sentence: Sentence, subject: Token) -> bool:
    """Whether a subject names an actor ("Velan troops", "the Velan navy"), not a thing."""
    if reading.resolve(sentence, subject, create=False) is not None:
        return True
    lo, hi = sentence.start(subject.left_edge), sentence.end(subject.right_edge)
    return next(iter(reading.book.within(lo, hi)), None) is not None


def _own_side(
    cues: ClaimCues, reading: Reading, sentence: Sentence, subject: Token, claimant: ActorRecord
) -> bool:
    """Whether a content clause's subject is the speaker or the speaker's side."""
    if subject.lower_ in {"we", "i"}:
        return True
    if subject.lower_ in {"it", "they"} and claimant.kind is not ActorKind.person:
        return True  # "the ministry said it would ...": the body itself
    if any(c.dep_ == "poss" and c.lower_ in {"our", "my", "its"} for c in subject.children):
        return True
    if subject.lower_ in cues.own_bodies and any(c.lower_ == "the" for c in subject.children):
        return True  # the mayor "said the city would ...": the speaker's own body
    if claimant.kind is ActorKind.person and any(
        c.dep_ == "poss" and c.lower_ in {"his", "her"} for c in subject.children
    ):
        return True  # "said his cabinet stood ready to ...": the speaker's side
    actor = reading.resolve(sentence, subject, create=False)
    if actor is None:
        return False
    return actor is claimant or (
        claimant.affiliation is not None and claimant.affiliation in actor.forms()
    )


def _home_side(reading: Reading, sentence: Sentence, subject: Token, claimant: ActorRecord) -> bool:
    """Whether a state subject is the home of a minister the article gives no state: the
    state whose capital heads the dateline ("SARVIK, May 2 - Interior Minister X said Arvland
    would ...")."""
    if claimant.affiliation is not None or not claimant.role or not reading.article.sentences:
        return False
    actor = reading.resolve(sentence, subject, create=False)
    if actor is None or actor.kind is not ActorKind.state:
        return False
    start, end = reading.article.sentences[1 if reading.headline else 0]
    match = _DATELINE_CITY.match(reading.article.text, start, end)
    state = reading.book.capital_state(match.group(1).title()) if match else None
    return state is not None and state.name in actor.forms()
