"""One article read by the pipeline: parsed sentences, its actors, and who a phrase names."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from schemas.article import SegmentedArticle
from schemas.contract import ActorKind
from service.engines.rules.actors import (
    ActorBook,
    ActorRecord,
    kind_of,
    pronoun_kind,
)
from service.engines.rules.collect import Collector
from service.engines.rules.cues import Cues
from service.engines.rules.names import described, family_name_first
from service.engines.rules.pronouns import it_antecedent, pronoun
from service.engines.rules.sentence import Sentence
from service.engines.rules.short_names import short_names
from service.engines.rules.speakers import outlet_named, unnamed_body
from service.engines.rules.syntax import dependents

_PHRASE_SKIP = {"relcl", "acl", "advcl", "punct", "cc", "conj", "parataxis", "ccomp"}
_SUBJECTS = {"nsubj", "nsubjpass"}


@dataclass(slots=True)
class Reading:
    """The parsed sentences of one article and its actor book."""

    article: SegmentedArticle
    sentences: list[Sentence]
    cues: Cues
    book: ActorBook = field(init=False)
    # (offset, actor) of every subject resolved so far, and genders learnt from pronouns.
    subjects: list[tuple[int, ActorRecord]] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)

    @property
    def headline(self) -> bool:
        """Whether sentence 1 is a headline: a line of its own without closing punctuation."""
        if not self.article.sentences:
            return False
        start, end = self.article.sentences[0]
        text = self.article.text
        own_line = "\n" in text[end : end + 2] or end == len(text.rstrip())
        return own_line and not text[start:end].rstrip().endswith((".", "!", "?"))

    def __post_init__(self) -> None:
        self.book = ActorBook(self.article, self.cues.actors)
        Collector(self.book, self.sentences, self.cues).collect()
        family_name_first(self.book)
        actors = self.cues.actors
        short_names(self.book, actors.generic_starts | actors.org_words | actors.titles)

    # --------------------------------------------------------------- resolution

    def phrase(self, token: Token) -> Span:
        """The contiguous noun phrase headed by `token`, without clauses or conjuncts."""
        keep = {
            t.i for t in dependents(token, lambda c: c.dep_ in _PHRASE_SKIP and c.tag_ != "HYPH")
        }
        start = end = token.i
        while start - 1 in keep:
            start -= 1
        while end + 1 in keep:
            end += 1
        doc = token.doc
        while start < token.i and (
            doc[start].tag_ in {"DT", "PRP$"}
            # "two Irish officials": the count is no part of who they are
            or (doc[start].tag_ == "CD" and doc[start].is_alpha and doc[start].is_lower)
        ):
            start += 1
        return doc[start : end + 1]

    def remember(self, sentence: Sentence, token: Token, actor: ActorRecord) -> None:
        """Record a subject, for pronouns later on."""
        self.subjects.append((sentence.start(token), actor))

    def resolve(
        self, sentence: Sentence, token: Token, *, create: bool = True
    ) -> ActorRecord | None:
        """The actor a phrase headed by `token` names, creating unnamed speakers if asked."""
        book = self.book
        if pronoun_kind(token) == "person":
            return pronoun(self, sentence, token)
        if token.lower_ == "it" and token.dep_ == "nsubj" and token.head.dep_ == "ROOT":
            return it_antecedent(self, sentence, token)
        if token.tag_ in {"PRP", "WP", "EX"}:
            return None
        phrase = self.phrase(token)
        start, end = sentence.base + phrase.start_char, sentence.base + phrase.end_char
        mentions = list(book.within(start, end))
        head_at = sentence.start(token)
        placed = [
            (sentence.start(p), sentence.end(p.right_edge))
            for p in token.rights
            if p.dep_ == "prep" and p.lower_ in {"in", "at", "near", "outside"}
        ]
        if placed:
            # "Bolivia's charge d'affaires in Asunción": the place is not the side.
            unplaced = [m for m in mentions if not any(lo <= m.start < hi for lo, hi in placed)]
            mentions = unplaced or mentions
        for mention in mentions:
            if mention.start <= head_at < mention.end:
                return mention.actor
        if create and (outlet := outlet_named(self.book, token)) is not None:
            return outlet
        apposed = next(
            (
                a
                for c in token.children
                if c.dep_ == "appos"
                and (a := self.resolve(sentence, c, create=False)) is not None
                and a.kind is not ActorKind.state
            ),
            None,
        )
        posts = self.cues.actors.officials | self.cues.actors.titles
        if apposed is None and token.lower_ in posts:
            apposed = self._apposed_to_object(sentence, token)
        if apposed is not None and token.tag_ in {"NN", "NNS"}:
            return apposed  # "Doru's party, the Alliance for Open Cities": the party
        named = [m for m in mentions if m.actor.kind is ActorKind.person]
        if named:
            return min(named, key=lambda m: abs(m.start - head_at)).actor
        if apposed is not None:
            return apposed
        head = token.lower_
        cues = self.cues.actors
        states = [m.actor for m in mentions if m.actor.kind is ActorKind.state]
        owners = [m.actor for m in mentions if m.actor.kind is not ActorKind.state]
        if head in cues.officials and head not in {"minister", "commander"}:
            return self._official(phrase, token, create=create)
        if head in cues.titles:
            lefts = [t for t in token.lefts if t.dep_ in {"compound", "amod"}]
            words = [t.text for t in lefts] + [token.text]
            affiliated = owners or states
            aff = affiliated[0].name if affiliated else None
            at = sentence.start(token)
            # a later name only when the article says whose post it is ("Chile's minister")
            found = book.by_role(words, aff, before=None if aff else at) or book.by_role(
                words, None, before=at
            )
            stated = [t.text for t in lefts if book.state_of(t.text) is None] + [token.text]
            if found is None and states and len(stated) < len(words):
                # "the Finnish minister": the state word gives the affiliation, not the post
                found = book.by_role(stated, states[0].name, strict=True, before=at)
            if found is None and head in {"head", "chief", "leader"} and aff:
                found = next(
                    (a for a in book.actors if a.kind is ActorKind.person and a.affiliation == aff),
                    None,
                )
            return found
        if head in cues.state_bodies and states and not owners and unnamed_body(phrase, token):
            return states[0]  # "Arvland's government said", "the government in Sarvik"
        if head in cues.institutions and states and not owners and create:
            first = phrase[0]
            last = token.i
            if head in cues.seated:
                for prep in token.rights:
                    if (
                        prep.dep_ == "prep"
                        and prep.lower_ == "in"
                        and prep.right_edge.i < phrase.end
                    ):
                        last = prep.right_edge.i
            name = sentence.doc[first.i : last + 1].text
            if book.find(name) is None and not book.appears(name):
                return states[0]
            actor = book.find(name) or book.organisation(name)
            actor.affiliation = actor.affiliation or states[0].name
            actor.heads.add(head)
            return actor
        if head in cues.definites:
            # "the union": the last union named before it, else the one the word usually means
            usual = [a for n in cues.definites[head] if (a := book.find(n)) is not None]
            at = sentence.start(token)
            for actor in reversed([m.actor for m in book.mentions() if m.start < at]):
                if actor in usual or head in actor.name.lower().split():
                    return actor
            if usual:
                return usual[0]
        if mentions and token.tag_ not in {"NN", "NNS"}:
            return min(
                mentions, key=lambda m: (kind_of(m.actor.kind), abs(m.start - head_at))
            ).actor
        if (
            phrase[0].i > 0 and phrase.doc[phrase[0].i - 1].lower_ == "the"
        ) or token.dep_ == "poss":
            at = sentence.start(token)
            for actor in reversed([m.actor for m in book.mentions() if m.start < at]):
                if head in actor.heads or head in actor.name.lower().split():
                    return actor
                if actor.role and head in actor.role.lower().split():
                    return actor
        if create and self._collective(token):
            return book.organisation(phrase.text)  # "police said", "Republicans say"
        return None

    def _apposed_to_object(self, sentence: Sentence, token: Token) -> ActorRecord | None:
        """The person named after a post's "for"/"of" phrase, the parse hanging the name on
        that phrase ("the envoy for Arvland, Ida Brask, met ...")."""
        return next(
            (
                a
                for p in token.children
                if p.dep_ == "prep" and p.lower_ in {"for", "of", "to"}
                for o in p.children
                if o.dep_ == "pobj"
                for c in o.children
                if c.dep_ == "appos"
                and (a := self.resolve(sentence, c, create=False)) is not None
                and a.kind is ActorKind.person
            ),
            None,
        )

    def _collective(self, token: Token) -> bool:
        """A plural or collective speaker that names a body of people: "police", "Republicans"."""
        if token.lower_ in self.cues.actors.collectives:
            return True
        return (
            token.tag_ == "NNPS"
            and token.ent_type_ == "NORP"
            and self.book.state_of(token.text) is None
        )

    def _official(self, phrase: Span, token: Token, *, create: bool) -> ActorRecord | None:
        book = self.book
        doc = phrase.doc
        definite = token.i > 0 and doc[phrase.start - 1].lower_ in {"the", "that", "this"}
        if definite or phrase.start == token.i:
            for actor in reversed(book.actors):
                if token.lower_ in actor.heads:
                    return actor
        if not create:
            return None
        end = phrase.end
        for i in range(token.i + 1, phrase.end):
            if doc[i].text in {",", "(", "\u2013", "-"} or doc[i].tag_ in {
                "WP",
                "WDT",
                "VBN",
                "VBG",
            }:
                end = i
                break
            naming = doc[i].lower_ in self.cues.actors.naming_prepositions
            if doc[i].dep_ == "prep" and doc[i].head.i == token.i and not naming:
                end = i
                break
        name = doc[phrase.start : end].text
        if len(name.split()) == 1 and token.i == phrase.start and definite:
            return None
        role = token.text
        full = described(phrase, token, end)
        if full == name or definite:
            return book.unnamed(name, token.lower_, role)
        actor = book.find(name) or book.unnamed(full, token.lower_, role)
        book.add_alias(actor, name)
        return actor
