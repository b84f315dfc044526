-- The 20 linked entities in the most articles, with their most frequent name and label.
SELECT id, mode(text) AS name, mode(label) AS label, count(*) AS articles
FROM mentions
GROUP BY id ORDER BY articles DESC, id LIMIT 20;
