"""Entities step: tag people, organisations and places, linked to Wikidata. Article -> Article.

TagEntities is the composite; tag_entities(text, gazetteer) the pure core (tag.py).
"""

from transforms.entities.gazetteer import Gazetteer, load_gazetteer
from transforms.entities.tag import TagEntities, ner_model_problem, tag_entities

__all__ = ["Gazetteer", "TagEntities", "load_gazetteer", "ner_model_problem", "tag_entities"]
