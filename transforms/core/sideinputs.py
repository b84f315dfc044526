"""Side inputs that leave memory with their bundle.

Beam's Python worker prepares a DoFn's arguments once when all its side inputs are in the global
window, and keeps them, side inputs included, in the DoFn's invoker (runners/common.py
PerWindowInvoker; apache/beam#28776 plans to remove that caching). Beam's local runner keeps each
finished stage's bundle processor for reuse, invoker and all: every dict a batch step had looked
up stayed in memory until the run ended, and a batch run's steps look up dicts that grow with the
input (components, decisions, signatures). A process method that takes its window (PER_BUNDLE)
has its side inputs looked up per element from its bundle's own cache, which goes when the
bundle ends. The lookup is a dict read per element, and these steps take a file, a bucket or a
spill chunk per element, not an article.
"""

from __future__ import annotations

import apache_beam as beam

# The default of a process method's (or a Map/FlatMap function's) last parameter.
PER_BUNDLE = beam.DoFn.WindowParam
