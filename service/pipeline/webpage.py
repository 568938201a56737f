"""A web page as an article: its main text and metadata, extracted by trafilatura; never fetched."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import trafilatura
from trafilatura.settings import set_date_params

from schemas.contract import SummaryRequest, parse_published_at
from service.errors import InvalidRequest

log = logging.getLogger("readout.webpage")


@dataclass(frozen=True, slots=True)
class Page:
    """What a page holds of its article."""

    text: str
    title: str | None
    published_at: str | None


def extract_page(html: str) -> Page:
    """The page's main text, paragraphs a blank line apart, with its title and date."""
    try:
        document = trafilatura.bare_extraction(
            html,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            with_metadata=True,
            # Dates from the page's markup only (meta tags, <time>, JSON-LD), never guessed
            # from the words of the page.
            date_extraction_params=set_date_params(extensive=False),
        )
    except Exception as error:  # a parser's failure on hostile markup is the page's fault
        log.info("html extraction failed", extra={"error_type": type(error).__name__})
        document = None
    lines = (getattr(document, "text", None) or "").splitlines()
    text = "\n\n".join(line.strip() for line in lines if line.strip())
    if not text:
        raise InvalidRequest(
            422,
            "html-without-text",
            "No article text in the HTML",
            "No main text could be extracted from html: send the article's own page, "
            "or its text as text.",
        )
    return Page(
        text=text,
        title=getattr(document, "title", None) or None,
        published_at=_date(getattr(document, "date", None)),
    )


def _date(value: object) -> str | None:
    """The page's date if it is one the contract reads, else none."""
    if not isinstance(value, str):
        return None
    try:
        parse_published_at(value)
    except ValueError:
        return None
    return value


def read_page(request: SummaryRequest) -> tuple[SummaryRequest, str]:
    """The request with its article text (extracted when it sent html), and that text."""
    if request.text is not None:
        return request, request.text
    page = extract_page(request.html or "")
    update = {
        "text": page.text,
        "title": request.title or page.title,
        "published_at": request.published_at or page.published_at,
    }
    return request.model_copy(update=update), page.text
