-- Articles per period by language: the 10 largest languages, the rest as 'other'.
WITH ranked AS (
    SELECT language, row_number() OVER (ORDER BY count(*) DESC, language) AS rank
    FROM articles GROUP BY language
)
SELECT period, CASE WHEN rank <= 10 THEN language ELSE 'other' END AS language,
       count(*) AS articles
FROM articles JOIN ranked USING (language)
GROUP BY ALL ORDER BY period, articles DESC, language;
