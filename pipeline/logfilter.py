"""Keep two harmless messages off the console.

Imported by the CLI before Beam, and preloaded by Dask workers (`--preload pipeline.logfilter`),
which import Beam themselves.

- Beam's import-time warning about optional GCP clients: harmless for newsbeam (RUNNERS.md).
- A Dask worker's "Failed to communicate with scheduler during heartbeat", with its traceback. On
  a loaded machine one heartbeat's connection can close under it (seen once in a test run on 2
  busy cores, a second before the run's cluster closed). The worker logs it and carries on: the
  next heartbeat opens a new connection a second later. A scheduler that is really gone shows
  otherwise: the worker closes itself and the run fails with the error of its tasks.
"""

import logging


class QuietImportWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


class QuietHeartbeatMisses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to communicate with scheduler during")


# A logger's filters see only the records logged on it, not those its children pass up: each
# filter goes on the logger that writes the message.
logging.getLogger().addFilter(QuietImportWarnings())
logging.getLogger("distributed.worker").addFilter(QuietHeartbeatMisses())
