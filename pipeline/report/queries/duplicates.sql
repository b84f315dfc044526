-- Written articles: originals and near-duplicates (rows with duplicate_of set). Exact
-- re-deliveries are dropped before writing; the report adds their count from OUT/_runs/.
SELECT count(*) FILTER (WHERE NOT near_duplicate) AS originals,
       count(*) FILTER (WHERE near_duplicate) AS near_duplicates
FROM articles;
