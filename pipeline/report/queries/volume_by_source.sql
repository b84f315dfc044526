-- Articles per period by source (site or feed name, else the URL's host): the 10 largest, the
-- rest as 'other'.
WITH ranked AS (
    SELECT source, row_number() OVER (ORDER BY count(*) DESC, source) AS rank
    FROM articles GROUP BY source
)
SELECT period, CASE WHEN rank <= 10 THEN source ELSE 'other' END AS source,
       count(*) AS articles
FROM articles JOIN ranked USING (source)
GROUP BY ALL ORDER BY period, articles DESC, source;
