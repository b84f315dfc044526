-- IPTC top-level topic of each article per period (its best-scored top-level topic).
SELECT period, coalesce(topic, 'no IPTC topic') AS topic, count(*) AS articles
FROM articles
GROUP BY ALL ORDER BY period, articles DESC, topic;
