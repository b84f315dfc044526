"""Story assignment across windows, as a pure structure the streaming resolver keeps in state.

Within one window the rule is batch's: the connected components of the window's story edges and
copy edges, each named after its smallest article_id. A component that reaches articles of earlier
windows keeps their story instead (rows already written keep their id); a bridge between two
earlier stories names both by the smaller id and records an alias, so later joiners of either get
one story. Entries expire `horizon` after they were last touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from transforms.core.records import Article
from transforms.dedupe import connected_roots
from transforms.stories.rules import story_id
from transforms.stories.state import Alias, Assigned, StoryForest


class Forest:
    """An in-memory view of StoryForest: article -> story for articles of multi-article stories,
    story -> story for merged stories."""

    def __init__(self, state: StoryForest | None = None):
        state = state or StoryForest((), ())
        self.assigned = {a.article_id: a for a in state.assigned}
        self.aliases = {a.story_id: a for a in state.aliases}

    def story_of(self, article_id: str) -> str | None:
        """The story an earlier article belongs to, None for an article never in a story of two."""
        entry = self.assigned.get(article_id)
        if entry is None:
            return None
        story, seen = entry.story_id, set()
        while story in self.aliases and story not in seen:
            seen.add(story)
            story = self.aliases[story].into
        return story

    def assign(
        self, articles: Sequence[Article], links: Iterable[tuple[str, str]], now_us: int
    ) -> dict[str, str]:
        """One window's articles and story links -> story_id per article of the window."""
        current = {a.article_id for a in articles}
        edges = list(links) + [(a.article_id, a.duplicate_of) for a in articles if a.duplicate_of]
        components: dict[str, list[str]] = {}
        for node, root in connected_roots(edges).items():
            components.setdefault(root, []).append(node)
        stories: dict[str, str] = {}
        for members in components.values():
            if current.intersection(members):
                story = self._name(members, current, now_us)
                stories.update((m, story) for m in members if m in current)
        for article_id in current - stories.keys():
            stories[article_id] = self.story_of(article_id) or story_id(article_id)
        return stories

    def _name(self, members: list[str], current: set[str], now_us: int) -> str:
        earlier = {self.story_of(m) for m in members} - {None}
        earlier |= {story_id(m) for m in members if m not in current and not self.story_of(m)}
        story = min(earlier) if earlier else story_id(min(members))
        for other in earlier - {story}:
            self.aliases[other] = Alias(other, story, now_us)
        for m in members:
            self.assigned[m] = Assigned(m, story, now_us)
        return story

    def prune(self, before_us: int) -> None:
        """Forget what was last touched before `before_us` (the state's TTL)."""
        self.assigned = {k: v for k, v in self.assigned.items() if v.touched >= before_us}
        self.aliases = {k: v for k, v in self.aliases.items() if v.touched >= before_us}

    def state(self) -> StoryForest:
        return StoryForest(
            tuple(sorted(self.assigned.values())), tuple(sorted(self.aliases.values()))
        )
