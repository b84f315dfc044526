"""Language: per-paragraph detection weighted by letters, behind selectable backends."""

from transforms.language.detect import (
    BACKENDS,
    DEFAULT_BACKEND,
    DetectLanguage,
    backend_problem,
    detect_language,
)

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "DetectLanguage", "backend_problem", "detect_language"]
