"""Models of the courses app, exported from their modules."""

from courses.models.certificates import Certificate, CertificateStatus
from courses.models.cohorts import (
    Cohort,
    CohortDeparture,
    CohortInvitation,
    CohortMembership,
    DepartureKind,
    MembershipSource,
    Organisation,
    OrganisationKind,
)
from courses.models.delivery import DeliveryStatus, OutboundEmail
from courses.models.jurisdictions import Jurisdiction
from courses.models.pages import (
    Audience,
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
)
from courses.models.progress import Enrolment, EnrolmentStatus, LessonProgress
from courses.models.reflections import Reflection
from courses.models.support import Helpline
from courses.models.uploads import CohortUploadJob, UploadStatus

__all__ = [
    "Audience",
    "Certificate",
    "CertificateStatus",
    "Cohort",
    "CohortUploadJob",
    "CohortDeparture",
    "CohortInvitation",
    "DepartureKind",
    "DeliveryStatus",
    "OutboundEmail",
    "CohortMembership",
    "MembershipSource",
    "Organisation",
    "OrganisationKind",
    "CompletionRule",
    "CourseIndexPage",
    "Enrolment",
    "EnrolmentStatus",
    "LessonProgress",
    "CoursePage",
    "Helpline",
    "Jurisdiction",
    "LessonPage",
    "ModulePage",
    "Reflection",
    "UploadStatus",
]
