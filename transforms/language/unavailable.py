"""BackendUnavailable, in a module of its own: backends.py is compiled (setup.py), and a compiled
class cannot derive from RuntimeError, so the error class stays Python."""


class BackendUnavailable(RuntimeError):
    """The selected backend's library is not installed."""
