"""The script users write today instead of newsbeam, as issue "Throughput and memory" measured
it: JSON Lines in, seeded langdetect, an exact content hash to drop repeats, one Parquet file.
bench/bench_throughput.py runs it beside `newsbeam run` on the same corpus.

    python bench/naive_script.py INPUT_DIR OUT.parquet
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException


def main(folder: str, out: str) -> None:
    DetectorFactory.seed = 0
    seen, rows = set(), []
    for path in sorted(Path(folder).glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                text = item.get("text") or ""
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                if digest in seen:
                    continue
                seen.add(digest)
                try:
                    lang = detect(text)
                except LangDetectException:
                    lang = "und"
                rows.append(
                    {
                        "url": item.get("url"),
                        "title": item.get("title"),
                        "text": text,
                        "language": lang,
                        "content_hash": digest,
                    }
                )
    pq.write_table(pa.Table.from_pylist(rows), out)
    print(f"naive: {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
