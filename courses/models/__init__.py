"""Models of the courses app, exported from their modules."""

from .pages import (
    Audience,
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
)
from .reflections import Reflection
from .support import Helpline

__all__ = [
    "Audience",
    "CompletionRule",
    "CourseIndexPage",
    "CoursePage",
    "Helpline",
    "LessonPage",
    "ModulePage",
    "Reflection",
]
