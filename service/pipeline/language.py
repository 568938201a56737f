"""Which language an article is in, for the engines that read English only (lingua)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

# Languages told apart: the common languages of news. Fewer languages keep the detector small
# (about 30 MB of models once loaded) and quick; an article in another one is read as the
# nearest of these, which is still not English.
_LANGUAGES = (
    "ENGLISH", "FRENCH", "GERMAN", "SPANISH", "PORTUGUESE", "ITALIAN", "DUTCH", "RUSSIAN",
    "UKRAINIAN", "POLISH", "TURKISH", "ARABIC", "CHINESE", "JAPANESE", "KOREAN", "SWEDISH",
    "BOKMAL", "DANISH", "FINNISH", "CZECH", "ROMANIAN", "HUNGARIAN", "GREEK", "HEBREW",
    "PERSIAN", "HINDI", "INDONESIAN", "VIETNAMESE",
)  # fmt: skip
# The opening of the article is read (time stays flat however long the article).
_SAMPLE_CHARS = 2000
# Fewer words than this say too little to refuse an article (a headline, a name list).
_MIN_WORDS = 20
# How sure the detector must be of a language other than English.
_MIN_CONFIDENCE = 0.7
# English function words. Running English has many (a tenth of its words or more); a text in
# another language has almost none. The detector can take a short English text crowded with
# foreign names for Dutch or French, so a text with enough of these is English whatever it says.
# Not "in", "on", "was", "will": German, French or Dutch words too.
_ENGLISH_WORDS = {
    "the", "of", "and", "to", "for", "with", "that", "said", "is", "by", "at", "from", "his",
    "her", "its", "has", "have", "were", "which", "who", "after", "their", "this",
}  # fmt: skip
_ENGLISH_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Detected:
    """A language other than English that an article is written in."""

    code: str  # ISO 639-1
    name: str


@cache
def _detector() -> LanguageDetector:
    """Built once per process, on first use."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def not_english(text: str) -> Detected | None:
    """The language of `text` when it is confidently not English, else None."""
    sample = text[:_SAMPLE_CHARS]
    words = [w.lower() for w in sample.split() if any(c.isalpha() for c in w)]
    if len(words) < _MIN_WORDS:
        return None
    if sum(1 for w in words if w in _ENGLISH_WORDS) >= _ENGLISH_SHARE * len(words):
        return None
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None
    top = values[0]
    if top.language.name == "ENGLISH" or top.value < _MIN_CONFIDENCE:
        return None
    return Detected(code=top.language.iso_code_639_1.name.lower(), name=top.language.name.title())
