"""The local runner's worker cache follows --max_cache_memory_usage_mb during a batch run (off
unless given, as on Dataflow's and Flink's workers), and is put back afterwards."""

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import worker_handlers

from pipeline.runners.batch import local_worker_cache


def test_the_cache_is_off_for_the_run_unless_the_option_sizes_it():
    before = worker_handlers.STATE_CACHE_SIZE_MB
    with local_worker_cache(PipelineOptions([])) as mb:
        assert mb == 0 and worker_handlers.STATE_CACHE_SIZE_MB == 0
    assert worker_handlers.STATE_CACHE_SIZE_MB == before
    with local_worker_cache(PipelineOptions(["--max_cache_memory_usage_mb=7"])) as mb:
        assert mb == 7 and worker_handlers.STATE_CACHE_SIZE_MB == 7
    assert worker_handlers.STATE_CACHE_SIZE_MB == before


def test_the_cache_is_put_back_when_the_run_fails():
    before = worker_handlers.STATE_CACHE_SIZE_MB
    try:
        with local_worker_cache(PipelineOptions([])):
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert worker_handlers.STATE_CACHE_SIZE_MB == before
