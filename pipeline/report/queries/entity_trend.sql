-- Articles per period for each of the 20 leading entities (the sparklines).
WITH top AS (
    SELECT id FROM mentions GROUP BY id ORDER BY count(*) DESC, id LIMIT 20
)
SELECT id, period, count(*) AS articles
FROM mentions JOIN top USING (id)
GROUP BY ALL ORDER BY id, period;
