"""Models of the courses app, exported from their modules."""

from .support import Helpline

__all__ = ["Helpline"]
