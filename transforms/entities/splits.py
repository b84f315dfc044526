"""Where one run of capitalised words holds two names: what an office is of and its holder ("il
presidente dell'Egitto | Hosni Mubarak"), a portfolio or place and a person ("lo Sport | Giovanni
Spadafora"), a person and where they work ("Raffaele Cioni | dell' | Istituto Nazionale"). Run ->
where the second name starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms.entities.guess import kind_word, romance_of_links
from transforms.entities.words import (
    CONNECTORS,
    GEO_PREFIXES,
    OF_LINKS,
    OFFICE_ADJECTIVES,
    OFFICES,
    ORG_FIRST,
    ORG_NOUNS,
    PERSON_ORG_LINKS,
    PORTFOLIO_LINKS,
    PORTFOLIOS,
    ROMANCE_ARTICLES,
    TITLES,
)

if TYPE_CHECKING:
    from transforms.entities.labels import Run


def office_holder(run: Run) -> tuple[int, bool] | None:
    """After "<office> of", a run is what the office is of, then who holds it: (where the
    holder's name starts, whether the first part is a minister's portfolio, not a name)."""
    i, j, tokens, matched = run.i, run.j, run.tokens, run.matched
    if not _after_office_of(run):
        return None
    d, portfolio = i, False
    while d < j and tokens[d][0].lower() in PORTFOLIOS and matched[d] < 0:
        d, portfolio = d + 1, True
    if not portfolio:
        m = matched[i]
        if m < 0 or run.matches[m].i != i or run.matches[m].j >= j:
            return None  # no known name opens the run, or it is the whole run
        d = run.matches[m].j
    tail = [t[0] for t in tokens[d:j]]
    if d == j:
        return (d, portfolio) if portfolio else None
    if portfolio and tail[0].lower() in OF_LINKS:
        return d, True  # "ministro degli Esteri | di Israele": what the portfolio is of
    if (
        len(tail) > 3
        or not all(w[:1].isupper() for w in tail)
        or kind_word([w.lower() for w in tail])
    ):
        return None
    if any(matched[k] >= 0 and matched[k] != matched[d] for k in range(d, j)):
        return None
    return d, portfolio


def _after_office_of(run: Run) -> bool:
    """The run follows "<office> of": "il ministro dell'", "the mayor of", "l'assessore
    (regionale) alla"; in French, Spanish or Portuguese text their "of" and an article too ("le
    ministre de l'", "el ministro de")."""
    words = [t[0].lower() for t in run.tokens[max(0, run.i - 3) : run.i]]
    if words[-2:-1] and words[-1] in OF_LINKS and words[-2] in OFFICES:
        return True
    if words[-1:] and words[-1] in PORTFOLIO_LINKS:  # "l'assessore (regionale) alla Cultura"
        office = words[:-1] if words[-2:-1] and words[-2] not in OFFICE_ADJECTIVES else words[:-2]
        return bool(office) and office[-1] in OFFICES
    romance = romance_of_links(run.doc)
    if not romance:
        return False
    if words[-1:] and words[-1] in ROMANCE_ARTICLES:
        words = words[:-1]
    return len(words) >= 2 and words[-1] in romance and words[-2] in OFFICES


# Italian "di" before a given name and a surname names whose the name before it is: "il Milan di
# Stefano Pioli", "la Zorbatex di Mario Rossi" (a surname that is a given name, "Lorella Di
# Giovanni", is capitalised, or ends the run); so does "de" in French, Spanish and Portuguese
# text ("el Gobierno de Pedro Sánchez").
HOLDER_OF = "di"


def _holder_of(run: Run, word: str) -> bool:
    return word == HOLDER_OF or word in romance_of_links(run.doc)


def person_inside(run: Run) -> int | None:
    """Where a given name and a surname follow other capitalised words in one run ("Sport
    Giovanni Spadafora", "Emilia-Romagna Stefano Bonaccini", "Milan di Stefano Pioli"), the
    person starts there."""
    tokens, matched, matches, first_names = (
        run.tokens,
        run.matched,
        run.matches,
        run.gaz.first_names,
    )
    for p in range(run.i + 1, run.j - 1):
        word, before = tokens[p][0], tokens[p - 1][0]
        if word not in first_names or before in first_names:
            continue  # "Juan Carlos Rodríguez" is one name
        if before.lower().rstrip(".") in TITLES:
            continue  # "Dr. John Smith"
        if before.lower() in CONNECTORS and not _holder_of(run, before):
            continue  # "Jean de Florette"; but "il Milan di | Stefano Pioli"
        known_before = matched[p - 1] >= 0 and matches[matched[p - 1]].j == p
        if len(before) == 1 or (before.lower() in GEO_PREFIXES and not known_before):
            continue  # "J. Edgar Hoover", "San Marco"; not "Lega Nord | Umberto Bossi"
        m = matched[p]
        if m >= 0 and (matches[m].i != p or run.entry(m).label != "PER"):
            continue  # the given name is inside a longer known name
        if matched[p - 1] >= 0 and matched[p - 1] == m:
            continue
        surname = tokens[p + 1][0]
        if surname[:1].isupper() and surname.lower() not in CONNECTORS:
            return p
    return None


def person_of_org(run: Run) -> int | None:
    """The connector that joins a given name + surname to an organisation's name after it, or
    English "of" to the known, linked place they come from or stand for ("Representative Maria
    Zorbez of Texas"; not "de" or "di", where a place is often part of the name)."""
    tokens = run.tokens
    if tokens[run.i][0] not in run.gaz.first_names:
        return None
    for c in range(run.i + 2, run.j - 1):
        if tokens[c][0].lower() in PERSON_ORG_LINKS:
            nxt = tokens[c + 1][0].lower()
            place = tokens[c][0].lower() == "of" and _place_to_end(run, c + 1)
            return c if nxt in ORG_FIRST or nxt in ORG_NOUNS or place else None
    return None


def _place_to_end(run: Run, k: int) -> bool:
    """A known place, linked, runs from token k to the run's end."""
    x = run.matched[k]
    if x < 0:
        return False
    m, entry = run.matches[x], run.entry(x)
    return m.i == k and m.j == run.j and entry.label == "LOC" and bool(entry.qid)
