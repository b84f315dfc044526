-- The one scan of the dataset: the columns the report needs, for the days asked. The report
-- runs `CREATE TEMP TABLE articles AS` this query, on 1,000 files at a time.
-- $files: the Parquet files under OUT/articles/; $since, $until: DATEs (inclusive);
-- $grain: 'day', 'week' or 'month', the width of one bar on the time axis.
SELECT
    article_id,
    "date" AS day,
    date_trunc($grain, "date")::DATE AS period,
    coalesce(nullif(language, ''), 'und') AS language,
    coalesce(
        nullif(trim(source_name), ''),
        nullif(regexp_extract(coalesce(canonical_url, url, ''), '^[a-zA-Z]+://([^/:?#]+)', 1), ''),
        regexp_extract(source_uri, '([^/]+/)?[^/]+$', 0)  -- a file: its folder and name
    ) AS source,
    title,
    coalesce(published_at, ingested_at) AS seen_at,
    duplicate_of IS NOT NULL AS near_duplicate,
    story_id,
    -- the best-scored IPTC top-level topic (topics are stored best first)
    (list_filter(topics, lambda t: regexp_matches(t.code, '^medtop:[0-9]{2}000000$') AND t.score > 0))[1].label
        AS topic,
    list_filter(entities, lambda e: e.id IS NOT NULL) AS linked
FROM read_parquet($files, hive_partitioning = true, union_by_name = true)
WHERE "date" BETWEEN $since AND $until
