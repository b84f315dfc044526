-- Per feed, from OUT/sources/ (one row per feed per window, written by `newsbeam stream`), for
-- the windows in the days asked. $sources: its Parquet files.
SELECT feed,
       sum(polls) AS polls,
       sum(http_200) AS ok,
       sum(http_304) AS not_modified,
       sum(http_4xx) AS http_4xx,
       sum(http_5xx) AS http_5xx,
       sum(timeouts) AS timeouts,
       sum(robots_blocked) AS robots_blocked,
       sum(new_items) AS new_items,
       sum(pages_fetched) AS pages_fetched,
       median(median_fetch_ms) AS median_fetch_ms,
       max(last_success) AS last_success,
       flatten(list(fetch_failures)) AS fetch_failures,
       min(window_start) AS first_window,
       max(window_start) AS last_window
FROM read_parquet($sources, hive_partitioning = true, union_by_name = true)
WHERE window_start::DATE BETWEEN $since AND $until
GROUP BY feed ORDER BY feed;
