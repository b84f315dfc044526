"""newsbeam's transforms. NEWSBEAM_PURE_PYTHON=1 runs every module from its Python source, even
where setup.py compiled it (core/compiled.py)."""

from transforms.core.compiled import import_sources_if_requested

import_sources_if_requested()
