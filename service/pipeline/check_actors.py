"""Actor checks: each actor's name, aliases, role and affiliation stand in the article, and two
actors naming one entity become one.

The merge renames the keys calls and claims use (`rename`), so it runs before they are checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.article import SegmentedArticle, fold
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft
from service.pipeline.check_common import Issue, Review, grounded_form, unknown_keys
from service.pipeline.engine import ItemRef


def check_actor(actor: ActorDraft, article: SegmentedArticle, result: Review) -> ActorDraft:
    """A copy of `actor` in the article's characters; what does not stand in it is an error."""
    ref = ItemRef("actor", actor.id)
    result.fail(ref, unknown_keys(actor))
    name = grounded_form(article, actor.name) if actor.name.strip() else None
    if name is None:
        result.fail(
            ref,
            Issue(
                "name not in the article",
                f"name {actor.name!r} does not appear in the article; copy the article's own "
                "words for this actor",
            ),
        )
        name = actor.name
    aliases: list[str] = []
    for alias in actor.aliases:
        found = grounded_form(article, alias) if alias.strip() else None
        if found is None:
            result.fail(
                ref,
                Issue(
                    "alias not in the article",
                    f"alias {alias!r} does not appear in the article; remove it",
                ),
            )
        elif fold(found, loose=True).text != fold(name, loose=True).text and found not in aliases:
            aliases.append(found)
    role = actor.role
    if role is not None and role.strip():
        role = grounded_form(article, role)
        if role is None:
            result.fail(
                ref,
                Issue(
                    "role not in the article",
                    f"role {actor.role!r} does not stand in the article; copy the title as the "
                    "article words it, or leave role null",
                ),
            )
            role = actor.role
    else:
        role = None
    return actor.model_copy(update={"name": name, "aliases": aliases, "role": role})


def check_affiliations(actors: list[ActorDraft], article: SegmentedArticle, result: Review) -> None:
    """Each affiliation as a declared actor's form or the article's words (after the merge, so
    a merged actor's aliases count)."""
    forms = {fold(form, loose=True).text: form for a in actors for form in a.surface_forms()}
    for actor in actors:
        value = actor.affiliation
        if value is None or not value.strip():
            actor.affiliation = None
            continue
        declared = forms.get(fold(value.strip(), loose=True).text)
        found = declared or grounded_form(article, value)
        if found is None:
            result.fail(
                ItemRef("actor", actor.id),
                Issue(
                    "affiliation neither an actor nor in the article",
                    f"affiliation {value!r} is neither a declared actor nor words of the "
                    "article; use a declared actor's name or leave affiliation null",
                ),
            )
        else:
            actor.affiliation = found


def _last_word(name: str) -> str:
    words = fold(name, loose=True).text.split()
    return words[-1] if words else ""


def merge_same_entities(
    actors: list[ActorDraft], result: Review
) -> tuple[list[ActorDraft], dict[str, str]]:
    """One actor per entity: a repeated name, or a person's bare surname beside the full name,
    is merged into the fuller actor (the other form becomes an alias)."""
    kept: list[ActorDraft] = []
    renamed: dict[str, str] = {}
    # The folded name and forms of each kept actor, folded once rather than once a comparison.
    folded: list[tuple[str, set[str]]] = []
    for actor in actors:
        name = fold(actor.name, loose=True).text
        forms = {fold(f, loose=True).text for f in actor.surface_forms()}
        same = [
            other
            for other, (other_name, other_forms) in zip(kept, folded, strict=True)
            if name in other_forms or other_name in forms
        ]
        if not same and actor.kind == "person" and len(name.split()) == 1:
            same = [o for o in kept if o.kind == "person" and _last_word(o.name) == name]
        elif not same and actor.kind == "person":
            same = [
                o
                for o in kept
                if o.kind == "person"
                and len(fold(o.name, loose=True).text.split()) == 1
                and fold(o.name, loose=True).text == _last_word(actor.name)
            ]
        if len(same) > 1:
            result.fail(
                ItemRef("actor", actor.id),
                Issue(
                    "ambiguous: could be more than one declared actor",
                    f"{actor.name!r} could be any of {[o.id for o in same]}; use the full name, "
                    "or remove this actor and use the right key",
                ),
            )
            kept.append(actor)
            folded.append((name, forms))
            continue
        if not same:
            kept.append(actor)
            folded.append((name, forms))
            continue
        other = same[0]
        fuller, lesser = (
            (actor, other) if len(actor.name.split()) > len(other.name.split()) else (other, actor)
        )
        merged = fuller.model_copy(
            update={
                "aliases": _unique([*fuller.aliases, lesser.name, *lesser.aliases], fuller.name),
                "role": fuller.role or lesser.role,
                "affiliation": fuller.affiliation or lesser.affiliation,
            }
        )
        at = kept.index(other)
        kept[at] = merged
        folded[at] = (
            fold(merged.name, loose=True).text,
            {fold(f, loose=True).text for f in merged.surface_forms()},
        )
        renamed[lesser.id] = fuller.id
        for old, new in list(renamed.items()):
            if new == lesser.id:
                renamed[old] = fuller.id
        result.notes.append(
            f"actors {other.id} and {actor.id} named the same {fuller.kind.value}; merged into "
            f"{fuller.id} with {lesser.name!r} as an alias"
        )
    return kept, renamed


def _unique(forms: Iterable[str], name: str) -> list[str]:
    seen = {fold(name, loose=True).text}
    out: list[str] = []
    for form in forms:
        key = fold(form, loose=True).text
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


def rename(item: CallDraft | ClaimDraft, renamed: dict[str, str]) -> None:
    """Point `item`'s actor keys at the actors merged actors became (each key once)."""
    if not renamed:
        return

    def fix(values: list[str]) -> list[str]:
        return list(dict.fromkeys(renamed.get(v, v) for v in values))

    if isinstance(item, CallDraft):
        item.participants = fix(item.participants)
        item.readout_by = fix(item.readout_by)
        item.initiator = renamed.get(item.initiator, item.initiator) if item.initiator else None
    else:
        item.claimant = renamed.get(item.claimant, item.claimant)
        item.about = fix(item.about)
        item.disputed_by = fix(item.disputed_by)
