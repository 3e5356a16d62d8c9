"""Models of the courses app, exported from their modules."""

from .certificates import Certificate
from .cohorts import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    MembershipSource,
    Organisation,
    OrganisationKind,
)
from .pages import (
    Audience,
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
)
from .progress import Enrolment, LessonProgress
from .reflections import Reflection
from .support import Helpline

__all__ = [
    "Audience",
    "Certificate",
    "Cohort",
    "CohortInvitation",
    "CohortMembership",
    "MembershipSource",
    "Organisation",
    "OrganisationKind",
    "CompletionRule",
    "CourseIndexPage",
    "Enrolment",
    "LessonProgress",
    "CoursePage",
    "Helpline",
    "LessonPage",
    "ModulePage",
    "Reflection",
]
