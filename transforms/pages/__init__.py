"""Article pages behind feed links: which items to fetch (plan) and how a fetched page and its
feed item become one Article (merge). The fetching itself, polite and robots-aware, is the
page fetcher's in pipeline/sources/pages.py."""

from transforms.pages.merge import merge_page
from transforms.pages.plan import ALWAYS, AUTO, FETCH, MODES, NEVER, fetch_plan, load_cues

__all__ = ["ALWAYS", "AUTO", "FETCH", "MODES", "NEVER", "fetch_plan", "load_cues", "merge_page"]
