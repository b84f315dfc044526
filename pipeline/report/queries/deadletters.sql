-- Dead letters written in the days asked. The reason is the error's first clause with numbers
-- replaced by N, so "entry 3 has no text" and "entry 7 has no text" count together.
-- $deadletters: the JSON Lines files under OUT/deadletter/.
CREATE OR REPLACE TEMP TABLE deadletters AS
SELECT
    stage,
    source_uri,
    coalesce(
        nullif(regexp_replace(trim(regexp_extract(error, '^[^:(\[{]*')), '[0-9]+', 'N', 'g'), ''),
        left(error, 60)
    ) AS reason,
    "at"
FROM read_json(
    $deadletters,
    format = 'newline_delimited',
    columns = {stage: 'VARCHAR', source_uri: 'VARCHAR', error: 'VARCHAR', "at": 'TIMESTAMPTZ'}
)
WHERE "at"::DATE BETWEEN $since AND $until;
