-- Dead letters by stage and reason, the 25 most frequent.
SELECT stage, reason, count(*) AS dead_letters
FROM deadletters
GROUP BY ALL ORDER BY dead_letters DESC, stage, reason LIMIT 25;
