"""Build hook: the per-article steps' pure cores compiled to C with mypyc, where it can.

Each listed module is compiled from its .py file as it is, by mypy's compiler: the same code,
with its type hints enforced and used (README, "Compiled modules"). Without mypy or a C
compiler, or with NEWSBEAM_PURE_PYTHON=1, the .py files run as they are. If the C build fails,
every module runs as Python (optional=True), and tests/test_compiled.py then fails in CI. Only
modules without Beam constructs are listed; a compiled function handed to Beam pickles by
reference (its module and name), which every worker resolves from the same installed package.

NATIVE lists the modules written in C by hand, each the twin of the .py file beside it (the
reference, which runs where the C one was not built); they are built the same way, optional too.
"""

import os
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# fmt: off
COMPILED = (
    "transforms/core/identity.py", "transforms/core/packing.py",
    "transforms/parse/article.py", "transforms/parse/controls.py", "transforms/parse/dates.py",
    "transforms/parse/decoding.py", "transforms/parse/jsonlines.py",
    "transforms/parse/jsonscan.py", "transforms/parse/paragraphs.py", "transforms/parse/unpack.py",
    "transforms/dedupe/fingerprint.py", "transforms/dedupe/rules.py",
    "transforms/language/backends.py", "transforms/language/shares.py",
    "transforms/entities/context.py", "transforms/entities/country_names.py",
    "transforms/entities/doc.py", "transforms/entities/features.py",
    "transforms/entities/gazetteer.py", "transforms/entities/guess.py",
    "transforms/entities/inflection.py", "transforms/entities/institutions_it.py",
    "transforms/entities/labels.py", "transforms/entities/lexicon.py",
    "transforms/entities/model.py", "transforms/entities/nouns.py",
    "transforms/entities/roads.py", "transforms/entities/rules_it.py",
    "transforms/entities/scripts.py", "transforms/entities/spans.py",
    "transforms/entities/splits.py", "transforms/entities/tagger.py",
    "transforms/entities/tokens.py", "transforms/entities/words.py",
    "transforms/stories/rules.py",
    "transforms/topics/keywords.py", "transforms/topics/lexicon.py",
    "transforms/topics/scoring.py",
)
NATIVE = (
    "transforms/core/flatten.c",
    "transforms/core/space_scan.c",
    "transforms/dedupe/word_scan.c",
    "transforms/entities/token_scan.c",
    "transforms/language/scan.c",
    "transforms/topics/fold_scan.c",
)
# fmt: on
GROUP = "transforms.native"  # mypyc's one shared library: transforms/native__mypyc.*.so


def extensions() -> list:
    # The same test as transforms/core/compiled.py pure_python_requested(), which a build cannot
    # import: the package is not installed yet.
    if os.environ.get("NEWSBEAM_PURE_PYTHON", "") not in ("", "0"):
        return []
    native = [
        Extension(path[: -len(".c")].replace("/", "."), [path], optional=True) for path in NATIVE
    ]
    try:
        from mypyc.build import mypycify
    except ImportError:
        return native
    # mypy checks the listed modules' types first (a type error stops the build); the modules
    # they import (records, Beam...) are read for their types only. One shared library holds
    # them all, transforms/native__mypyc.*.so, so calls between them are C calls. No debug
    # information: the .py files are the reference.
    options = ["--ignore-missing-imports", "--follow-imports=silent"]
    # One C file per module (multi_file), which BuildInPlace compiles on every core at once.
    modules = mypycify(
        [*options, *COMPILED],
        group_name=GROUP,
        opt_level="3",
        debug_level="0",
        multi_file=True,
    )
    for module in modules:
        module.optional = True
        # mypyc writes the per-module C files into build/ and the group's headers they include
        # into the group's package folder under it (build/transforms/), but names only build/.
        module.include_dirs.append(os.path.join("build", *GROUP.split(".")[:-1]))
    return modules + native


class BuildInPlace(build_ext):
    """Puts a module built in place beside its source as a new file, not over the old one: a
    process still running the old module keeps its file, where rewriting a loaded shared object
    under it can crash it (setuptools copies every module back on each build).

    And dates every module this build made or found current: mypyc leaves a module's file as
    it was when its code did not change (a comment edited), and transforms/core/compiled.py
    judges a module stale by its file's time against its source's."""

    def run(self):
        self._current = []
        super().run()
        if self.inplace:
            for name in self._current:
                path = self.get_ext_filename(name)
                if os.path.isfile(path):
                    os.utime(path)

    def build_extensions(self):
        """mypyc's shared library first, then the modules' shims only if it was built: a shim
        without its library fails to import, where no file at all lets Python import the .py."""
        compile_in_parallel(self.compiler, self.parallel)
        everything = self.extensions
        library = [ext for ext in everything if ext.name.endswith("__mypyc")]
        try:
            self.extensions = library
            super().build_extensions()
            if all(ext.name in self._current for ext in library):
                self.extensions = [ext for ext in everything if ext not in library]
                super().build_extensions()
            else:
                print("newsbeam: mypyc's library did not build; the modules stay Python")
        finally:
            self.extensions = everything

    def build_extension(self, ext):
        super().build_extension(ext)  # raises when it fails, and then it is not current
        self._current.append(ext.name)

    def copy_file(self, infile, outfile, *args, **kwargs):
        if os.path.isfile(outfile) and not os.path.islink(outfile):
            os.unlink(outfile)
        return super().copy_file(infile, outfile, *args, **kwargs)


def compile_in_parallel(compiler, jobs) -> None:
    """Makes `compiler` compile one extension's C files on `jobs` threads (each runs the C
    compiler as a process), where distutils compiles them one after another; build_ext's own
    `parallel` only builds several extensions at once, and mypyc's library is one extension."""
    if not jobs or jobs == 1:
        return

    def compile_all(
        sources,
        output_dir=None,
        macros=None,
        include_dirs=None,
        debug=0,
        extra_preargs=None,
        extra_postargs=None,
        depends=None,
    ):
        macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj):
            src, ext = build[obj]
            compiler._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(one, [obj for obj in objects if obj in build]))
        return objects

    compiler.compile = compile_all


setup(
    ext_modules=extensions(),
    cmdclass={"build_ext": BuildInPlace},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
