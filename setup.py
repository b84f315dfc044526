"""Build hook: the per-article steps' pure cores compiled to C with Cython, where it can.

Each listed module is compiled from its .py file as it is: the same code, ~8% less CPU per
article end to end (README, "Compiled modules"). Without Cython or a C compiler, or with
NEWSBEAM_PURE_PYTHON=1, the .py files run as they are. A module that fails to compile is left
out (optional=True), and tests/test_compiled.py then fails in CI. Only modules without Beam
constructs are listed; a compiled function handed to Beam pickles by reference (its module and
name), which every worker resolves from the same installed package.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# fmt: off
COMPILED = (
    "transforms/core/identity.py", "transforms/core/packing.py",
    "transforms/parse/article.py", "transforms/parse/controls.py", "transforms/parse/dates.py",
    "transforms/parse/decoding.py", "transforms/parse/jsonlines.py",
    "transforms/parse/jsonscan.py", "transforms/parse/paragraphs.py", "transforms/parse/unpack.py",
    "transforms/dedupe/fingerprint.py", "transforms/dedupe/rules.py",
    "transforms/language/backends.py",
    "transforms/entities/context.py", "transforms/entities/country_names.py",
    "transforms/entities/doc.py", "transforms/entities/features.py",
    "transforms/entities/gazetteer.py", "transforms/entities/guess.py",
    "transforms/entities/inflection.py", "transforms/entities/institutions_it.py",
    "transforms/entities/labels.py", "transforms/entities/lexicon.py",
    "transforms/entities/model.py", "transforms/entities/nouns.py",
    "transforms/entities/roads.py", "transforms/entities/rules_it.py",
    "transforms/entities/scripts.py", "transforms/entities/spans.py",
    "transforms/entities/splits.py", "transforms/entities/tokens.py",
    "transforms/entities/words.py",
    "transforms/stories/rules.py",
    "transforms/topics/keywords.py", "transforms/topics/lexicon.py",
)
# fmt: on


def extensions() -> list:
    # The same test as transforms/core/compiled.py pure_python_requested(), which a build cannot
    # import: the package is not installed yet.
    if os.environ.get("NEWSBEAM_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    # No debug information: it was 80% of the modules' 40 MB, and the .py files are the reference.
    flags = [] if sys.platform == "win32" else ["-g0"]
    modules = [
        Extension(
            path[: -len(".py")].replace("/", "."), [path], optional=True, extra_compile_args=flags
        )
        for path in COMPILED
    ]
    return cythonize(
        modules,
        language_level=3,
        quiet=True,
        nthreads=os.cpu_count() or 1,
        # binding: compiled functions keep their names and signatures, and pickle by reference.
        # annotation_typing off: an annotation stays a note, as in Python ("dict[str, list]" on
        # a defaultdict would otherwise be enforced as exactly dict, and fail).
        compiler_directives={"binding": True, "annotation_typing": False},
    )


class BuildInPlace(build_ext):
    """Puts a module built in place beside its source as a new file, not over the old one: a
    process still running the old module keeps its file, where rewriting a loaded shared object
    under it can crash it (setuptools copies every module back on each build)."""

    def copy_file(self, infile, outfile, *args, **kwargs):
        if os.path.isfile(outfile) and not os.path.islink(outfile):
            os.unlink(outfile)
        return super().copy_file(infile, outfile, *args, **kwargs)


setup(
    ext_modules=extensions(),
    cmdclass={"build_ext": BuildInPlace},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
