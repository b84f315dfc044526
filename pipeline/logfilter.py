"""Keep Beam's import-time warning about optional GCP clients off the console.

Imported by the CLI before Beam, and preloaded by Dask workers (`--preload pipeline.logfilter`),
which import Beam themselves. The warning is harmless for newsbeam (RUNNERS.md).
"""

import logging


class QuietImportWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(QuietImportWarnings())
