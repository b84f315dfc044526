-- One row per linked entity per article (an entity named twice in an article counts once).
CREATE OR REPLACE TEMP TABLE mentions AS
SELECT article_id, day, period, e.id AS id, e.text AS text, e.label AS label
FROM (SELECT article_id, day, period, unnest(linked) AS e FROM articles)
QUALIFY row_number() OVER (PARTITION BY article_id, e.id ORDER BY e.start, e.text) = 1;
