-- Rising: the entities whose article count grew most in the last 7 days of the period (up to
-- its latest day) over the 7 days before, among those in at least 3 articles of the last 7 days.
WITH bounds AS (SELECT max(day) AS last_day FROM articles),
counts AS (
    SELECT id,
           first(text ORDER BY text) AS name,
           first(label ORDER BY label) AS label,
           count(*) FILTER (WHERE day > last_day - 7) AS last_7_days,
           count(*) FILTER (WHERE day <= last_day - 7) AS previous_7_days
    FROM mentions, bounds
    WHERE day > last_day - 14
    GROUP BY id
)
SELECT id, name, label, last_7_days, previous_7_days
FROM counts
WHERE last_7_days >= 3 AND last_7_days > previous_7_days
ORDER BY last_7_days - previous_7_days DESC, last_7_days DESC, id LIMIT 10;
