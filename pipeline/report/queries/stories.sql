-- The 20 largest stories (two articles or more): the first article's title, the outlets, the
-- languages, first and last seen.
SELECT story_id,
       first(title ORDER BY seen_at, article_id) AS first_title,
       list_sort(list_distinct(list(source))) AS outlets,
       list_sort(list_distinct(list(language))) AS languages,
       min(seen_at) AS first_seen,
       max(seen_at) AS last_seen,
       count(*) AS articles
FROM articles
WHERE story_id IS NOT NULL
GROUP BY story_id HAVING count(*) >= 2
ORDER BY articles DESC, first_seen, story_id LIMIT 20;
