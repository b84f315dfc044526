-- Every source in the period: articles, the share that are near-duplicates, languages, first
-- and last article (a source whose last article is old may have stopped).
SELECT source, count(*) AS articles,
       round(avg(near_duplicate::INTEGER), 3) AS near_duplicate_share,
       list_sort(list_distinct(list(language))) AS languages,
       min(seen_at) AS first_article, max(seen_at) AS last_article
FROM articles
GROUP BY source ORDER BY articles DESC, source LIMIT 50;
