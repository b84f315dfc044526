"""Hypothesis settings for the fuzz tests (tests/test_fuzz_*.py).

"ci" (the default): derandomized, so CI tries the same inputs on every run and a failure
reproduces; no deadline, because the machine is shared and an example's time says nothing; no
example database, so nothing is written beside the checkout. "slow" (NEWSBEAM_FUZZ_PROFILE=slow):
ten times the examples and fresh randomness on every run, for a developer's longer look.
bench/fuzz.py is the long run (minutes, every input in a worker with a time limit).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILE_ENV = "NEWSBEAM_FUZZ_PROFILE"
_SCALE = {"ci": 1, "slow": 10}
_QUIET = [
    HealthCheck.too_slow,  # generating 100k-deep documents and whole feeds takes its time
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_QUIET,
    # No shrinking in CI: it may take minutes per failing property. The failing input is printed
    # and reproduces (derandomized); the slow profile shrinks it to a minimal one.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile(
    "slow", parent=settings.get_profile("ci"), derandomize=False, phases=list(Phase)
)

PROFILE = os.environ.get(PROFILE_ENV, "ci")
if PROFILE not in _SCALE:
    raise ValueError(f"{PROFILE_ENV}={PROFILE!r}: expected one of {sorted(_SCALE)}")
settings.load_profile(PROFILE)


def budget(examples: int) -> settings:
    """Settings for one property: `examples` inputs in CI, ten times more in the slow profile."""
    return settings(max_examples=examples * _SCALE[PROFILE])
