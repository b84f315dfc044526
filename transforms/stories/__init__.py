"""Stories: articles about one event grouped across outlets and languages — a batch shell and a
streaming shell (keyed state with a TTL) over the same rules."""

from transforms.stories.batch import GroupStories
from transforms.stories.rules import HORIZON_US, story_id
from transforms.stories.seed import StoryIndex
from transforms.stories.stream import GroupStoriesStream

__all__ = ["HORIZON_US", "GroupStories", "GroupStoriesStream", "StoryIndex", "story_id"]
