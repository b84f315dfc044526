"""One batch run: withdraw the input's manifest, build the graph, run it on the chosen runner, add
the counts up into the run summary (OUT/summary.json), print it, and write the manifest last."""

from __future__ import annotations

import json
import time

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.settings import Settings


def run_batch(settings: Settings, options: PipelineOptions) -> dict:
    """Run `newsbeam run`; returns the summary (its "balanced" says whether every item is
    accounted for)."""
    import apache_beam as beam

    from pipeline.graph import build_batch
    from pipeline.runners.choice import runner_context
    from pipeline.settings import spill_root
    from pipeline.summary import (
        SUMMARY_NAME,
        counts_path,
        format_summary,
        read_counts,
        summarise,
        withdraw_manifest,
        write_manifest,
    )
    from transforms.core.spill import remove_spill
    from transforms.write import write_atomically

    started = time.monotonic()
    withdraw_manifest(settings.output, settings.run_key)
    spill = spill_root(settings.output, settings.run_key)
    remove_spill(spill)  # what a crashed run of this input left
    try:
        with runner_context(options) as runner:  # None unless Dask: starts/stops a cluster
            pipeline = beam.Pipeline(runner=runner, options=options)
            build_batch(pipeline, settings)
            result = pipeline.run()
            result.wait_until_finish()
    finally:
        remove_spill(spill)
    summary = summarise(
        read_counts(counts_path(settings.output, settings.run_key)), time.monotonic() - started
    )
    summary.update(input=settings.input, output=settings.output, run_key=settings.run_key)
    write_atomically(
        f"{settings.output}/{SUMMARY_NAME}", json.dumps(summary, indent=1).encode("utf-8")
    )
    write_manifest(settings.output, settings.run_key, summary)  # the commit record: last
    print(format_summary(summary))
    print(
        f"  dataset        {settings.output}/articles/  (summary: {settings.output}/{SUMMARY_NAME})"
    )
    return summary
