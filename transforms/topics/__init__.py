"""Topics: IPTC Media Topics and user topics from bundled stem lexicons (or e5 embeddings)."""

from transforms.topics.embedding import BACKENDS
from transforms.topics.score import ScoreTopics, explain_topics, score_topics, topics_problem

__all__ = ["BACKENDS", "ScoreTopics", "explain_topics", "score_topics", "topics_problem"]
