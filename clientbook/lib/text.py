"""Text normalization for search and sorting: case- and accent-insensitive, no domain logic."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans(
    {
        "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
        "þ": "th", "Þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i",
        "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l", "ſ": "s",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^\w@.+-]+")
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
_DIGITS = re.compile(r"\D+")


def fold(text: str) -> str:
    """Casefolded, accents removed, letters like Ł and Ø mapped: "Łukasz Żółć" -> "lukasz zolc"."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold().translate(_FOLD)


def digits(text: str) -> str:
    return _DIGITS.sub("", text)


def search_terms(query: str) -> list[str]:
    """The terms a search query asks for, each to be found somewhere in a client's search text.

    Words may come in any order. A query made only of digits and phone punctuation
    ("(11) 98765-4321", "+48 601 234 567") is one term of its digits.
    """
    query = query.strip()
    if not query:
        return []
    if _PHONE_LIKE.match(query) and len(digits(query)) >= 2:
        return [digits(query)]
    terms = []
    for word in _NON_WORD.split(fold(query)):
        word = word.strip(".-+")
        if word and word not in terms:
            terms.append(word)
    return terms
