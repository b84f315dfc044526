-- The 20 linked entities in the most articles, each with its most frequent name and label.
WITH names AS (
    SELECT id, text, label, count(*) AS n FROM mentions GROUP BY ALL
)
SELECT id,
       first(text ORDER BY n DESC, text) AS name,
       first(label ORDER BY n DESC, label) AS label,
       sum(n)::BIGINT AS articles
FROM names
GROUP BY id ORDER BY articles DESC, id LIMIT 20;
