"""Item checks: every actor, call and claim must be supported by the sentences it cites.

Pure functions over a structurally valid draft and the segmented article; both engines' drafts
pass through them. Each error tells the model how to fix the item. Words matched loosely (case,
diacritics, quote marks, whitespace) come back as the article's own characters.

This module is the entry point and runs the checks in order; the checks themselves live in
`check_common` (the error type, the review, names in free text), `check_actors` (actors and
their merge) and `check_calls` (calls and claims against their cited sentences).
"""

from __future__ import annotations

from schemas.article import SegmentedArticle
from schemas.extraction import Extraction
from service.pipeline.check_actors import (
    check_actor,
    check_affiliations,
    merge_same_entities,
    rename,
)
from service.pipeline.check_calls import check_call, check_claim
from service.pipeline.check_common import Issue, NameCheck, Review, grounded_form
from service.pipeline.draft_copy import deep_copy
from service.pipeline.engine import ItemRef

__all__ = ["Issue", "Review", "grounded_form", "review"]


def review(
    draft: Extraction,
    article: SegmentedArticle,
    title: str | None = None,
    shown: tuple[int, ...] | None = None,
) -> Review:
    """Check every item of `draft` against `article` (and its title, for the names free text
    may use; `shown`, the only sentences it may cite); a normalised copy and the errors."""
    names = NameCheck(article, title)
    visible = frozenset(shown) if shown is not None else None
    result = Review(draft=deep_copy(draft))
    out = result.draft
    actors = [check_actor(actor, article, result) for actor in out.actors]
    out.actors, renamed = merge_same_entities(actors, result)
    check_affiliations(out.actors, article, result)
    for call in out.calls:
        rename(call, renamed)
        check_call(call, out.actors, article, names, result, visible)
    for claim in out.claims:
        rename(claim, renamed)
        check_claim(claim, out.actors, article, names, result, visible)
    for issue in names.absent_in(out.summary):
        result.fail(ItemRef("summary", "summary"), issue)
    for n, point in enumerate(out.key_points):
        for issue in names.absent_in(point):
            result.fail(ItemRef("key_point", f"key_points[{n}]"), issue)
    return result
