"""The rules engine's cue lists, read once from `service/data/*.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from schemas.article import fold
from schemas.contract import ClaimKind, EvidenceStatus


def _words(table: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(word).lower() for word in table[key])


@dataclass(frozen=True, slots=True)
class CallCues:
    """Words that report, qualify or rule out a communication."""

    verbs: frozenset[str]
    object_verbs: frozenset[str]
    hosting: frozenset[str]
    several: frozenset[str]
    sequence: frozenset[str]
    light_verbs: frozenset[str]
    nouns: frozenset[str]
    joint_verbs: frozenset[str]
    not_call_particles: frozenset[str]
    planned_heads: frozenset[str]
    planned_words: frozenset[str]
    negations: frozenset[str]
    phone_words: frozenset[str]
    video_words: frozenset[str]
    in_person_words: frozenset[str]
    request_nouns: frozenset[str]
    event_nouns: frozenset[str]
    planned_nouns: frozenset[str]
    group_heads: frozenset[str]
    counted: frozenset[str]
    separately: frozenset[str]
    separate: frozenset[str]
    joined_by: frozenset[str]
    epistemic_modals: frozenset[str]
    elapsed_units: frozenset[str]
    counterparts: frozenset[str]
    cancelled: frozenset[str]
    country_nouns: frozenset[str]
    led_by: frozenset[str]
    not_sides: frozenset[str]
    medium_preps: frozenset[str]
    medium_nouns: frozenset[str]
    people_nouns: frozenset[str]
    occurred: frozenset[str]
    phoning: frozenset[str]
    conditionals: frozenset[str]
    not_events: frozenset[str]
    title_glue: frozenset[str]
    ranks: frozenset[str]
    spellings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClaimCues:
    """Speech-act verbs and the kind of claim each reports."""

    verbs: dict[str, ClaimKind]
    phrases: dict[tuple[str, str], ClaimKind]
    participles: dict[str, ClaimKind]
    statements: frozenset[str]
    continuing: frozenset[str]
    quoted: frozenset[str]
    commitment_modals: frozenset[str]
    attributions: frozenset[str]
    rejectable: frozenset[str]
    commitment_words: frozenset[str]
    conditions: frozenset[str]
    copulas: frozenset[str]
    not_speech_particles: frozenset[str]
    content_only: frozenset[str]
    stopwords: frozenset[str]
    threat_acts: frozenset[str]
    appeal_modals: frozenset[str]
    acceptance: frozenset[str]
    refusals: frozenset[str]
    harm_acts: frozenset[str]
    harm_objects: frozenset[str]
    own_bodies: frozenset[str]
    not_qualities: frozenset[str]
    negative_subjects: frozenset[str]
    evaluations: frozenset[str]
    not_speakers: frozenset[str]
    expectations: frozenset[str]


@dataclass(frozen=True, slots=True)
class EvidenceCues:
    """Phrases that set a claim's evidence status, strongest status first."""

    phrases: tuple[tuple[EvidenceStatus, tuple[tuple[str, ...], ...]], ...]
    back_references: frozenset[str]

    def rank(self, status: EvidenceStatus) -> int:
        """Lower is stronger; `not_addressed` is weakest."""
        for n, (candidate, _) in enumerate(self.phrases):
            if candidate is status:
                return n
        return len(self.phrases)


@dataclass(frozen=True, slots=True)
class State:
    """A state, the forms that name it and the capitals that stand for its government."""

    name: str
    forms: tuple[str, ...]
    capitals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActorCues:
    """Words that shape actors: unnamed speakers, institutions, titles, references."""

    officials: frozenset[str]
    institutions: frozenset[str]
    state_bodies: frozenset[str]
    outlets: frozenset[str]
    generic_starts: frozenset[str]
    titles: frozenset[str]
    definites: dict[str, tuple[str, ...]]
    org_words: frozenset[str]
    name_particles: frozenset[str]
    name_suffixes: frozenset[str]
    not_naming: frozenset[str]
    seated: frozenset[str]
    honorifics: frozenset[str]
    split_offices: frozenset[str]
    split_posts: frozenset[str]
    demonym_endings: tuple[str, ...]
    naming_prepositions: frozenset[str]
    appositive_roles: frozenset[str]
    place_prepositions: frozenset[str]
    person_prepositions: frozenset[str]
    place_nouns: frozenset[str]
    state_prepositions: frozenset[str]
    collectives: frozenset[str]
    vessel_prefixes: frozenset[str]
    collective_possessors: frozenset[str]
    thing_words: frozenset[str]
    geography: frozenset[str]
    political_nouns: frozenset[str]
    bodies: frozenset[str]
    states: tuple[State, ...]
    state_of_form: dict[str, State] = field(init=False)
    capital_of: dict[str, State] = field(init=False)
    state_pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        forms = {fold(f, loose=True).text: s for s in self.states for f in (s.name, *s.forms)}
        capitals = {fold(c, loose=True).text: s for s in self.states for c in s.capitals}
        every = sorted(
            {f for s in self.states for f in (s.name, *s.forms, *s.capitals)}, key=len, reverse=True
        )
        # The lookahead on first letters lets most positions fail at once instead of trying
        # every name there: 100,000 characters took over a second, holding the interpreter.
        firsts = "".join(sorted({re.escape(f[0]) for f in every}))
        pattern = re.compile(rf"(?<!\w)(?=[{firsts}])(?:{_trie(every)})(?!\w)")
        object.__setattr__(self, "state_of_form", forms)
        object.__setattr__(self, "capital_of", capitals)
        object.__setattr__(self, "state_pattern", pattern)


def _trie(words: list[str]) -> str:
    """An alternation of `words` as a regular expression built on their shared prefixes.

    It matches what the plain alternation "|".join(longest first) matches: at each character
    only one branch can go on, and each optional tail is tried before stopping short. A plain
    alternation of a few hundred names tries each of them at every candidate position.
    """
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


@dataclass(frozen=True, slots=True)
class Cues:
    """Every cue list of the rules engine."""

    calls: CallCues
    claims: ClaimCues
    evidence: EvidenceCues
    actors: ActorCues


def _pair(phrase: str) -> tuple[str, str]:
    verb, particle = phrase.split()
    return verb, particle


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("service").joinpath("data", name).read_text("utf-8"))


def load_cues() -> Cues:
    """Read the cue files shipped with the package."""
    data = _read("cues.toml")
    states = _read("states.toml")["states"]
    calls = data["calls"]
    claims = data["claims"]
    evidence = data["evidence"]
    actors = data["actors"]
    return Cues(
        calls=CallCues(
            **{key: _words(calls, key) for key in CallCues.__slots__ if key != "spellings"},
            spellings={str(k): str(v) for k, v in calls["spellings"].items()},
        ),
        claims=ClaimCues(
            verbs={verb: ClaimKind(kind) for verb, kind in claims["verbs"].items()},
            phrases={_pair(phrase): ClaimKind(kind) for phrase, kind in claims["phrases"].items()},
            participles={verb: ClaimKind(kind) for verb, kind in claims["participles"].items()},
            **{
                key: _words(claims["settings"], key)
                for key in ClaimCues.__slots__
                if key not in {"verbs", "phrases", "participles"}
            },
        ),
        evidence=EvidenceCues(
            phrases=tuple(
                (
                    EvidenceStatus(status),
                    tuple(tuple(phrase.lower().split()) for phrase in evidence[status]),
                )
                for status in evidence["priority"]
            ),
            back_references=_words(evidence, "back_references"),
        ),
        actors=ActorCues(
            officials=_words(actors, "officials"),
            institutions=_words(actors, "institutions"),
            state_bodies=_words(actors, "state_bodies"),
            outlets=_words(actors, "outlets"),
            generic_starts=_words(actors, "generic_starts"),
            titles=_words(actors, "titles"),
            definites={key: tuple(value) for key, value in actors["definites"].items()},
            org_words=_words(actors["org_words"], "words"),
            name_particles=_words(actors["names"], "particles"),
            name_suffixes=_words(actors["names"], "suffixes"),
            not_naming=_words(actors["names"], "not_naming"),
            seated=_words(actors["names"], "seated"),
            honorifics=_words(actors["names"], "honorifics"),
            split_offices=_words(actors["names"], "split_offices"),
            split_posts=_words(actors["names"], "split_posts"),
            demonym_endings=tuple(actors["names"]["demonym_endings"]),
            naming_prepositions=_words(actors["names"], "naming_prepositions"),
            appositive_roles=_words(actors["names"], "appositive_roles"),
            place_prepositions=_words(actors["places"], "prepositions"),
            person_prepositions=_words(actors["places"], "person_prepositions"),
            place_nouns=_words(actors["places"], "nouns"),
            state_prepositions=_words(actors["places"], "state_prepositions"),
            collectives=_words(actors, "collectives"),
            vessel_prefixes=_words(actors["names"], "vessel_prefixes"),
            collective_possessors=_words(actors["names"], "collective_possessors"),
            thing_words=_words(actors["names"], "thing_words"),
            geography=_words(actors["states"], "geography"),
            bodies=_words(actors["states"], "bodies"),
            political_nouns=_words(actors["states"], "political_nouns")
            | _words(actors, "officials")
            | _words(actors, "institutions")
            | _words(actors, "titles")
            | _words(actors["org_words"], "words"),
            states=tuple(
                State(name, tuple(entry["forms"]), tuple(entry["capitals"]))
                for name, entry in states.items()
            ),
        ),
    )
