"""pipeline.logfilter: the two messages it keeps off the console, and nothing else."""

import io
import logging

import pipeline.logfilter  # noqa: F401 - installs the filters


def _logged(name: str, *messages: str) -> str:
    """What a console handler on logger `name` prints of each message, logged with a traceback
    (on the logger itself: distributed's own logging set-up may stop its records propagating)."""
    logger, out = logging.getLogger(name), io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    try:
        for message in messages:
            try:
                raise OSError("Stream is closed")
            except OSError:
                logger.exception(message)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_missed_heartbeat_is_not_printed_other_worker_errors_are():
    printed = _logged(
        "distributed.worker",
        "Failed to communicate with scheduler during heartbeat.",
        "Compute Failed",
    )
    assert "heartbeat" not in printed
    assert "Compute Failed" in printed
    assert printed.count("Traceback") == 1


def test_the_heartbeat_message_from_another_logger_is_printed():
    assert "heartbeat" in _logged(
        "distributed.nanny", "Failed to communicate with scheduler during heartbeat."
    )


def test_beams_gcp_import_warning_is_not_printed():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logging.getLogger().addHandler(handler)
    try:
        logging.getLogger().warning(
            "apitools not found, and bigquery client libraries are not available"
        )
        logging.getLogger().warning("something else")
    finally:
        logging.getLogger().removeHandler(handler)
    assert out.getvalue() == "something else\n"
