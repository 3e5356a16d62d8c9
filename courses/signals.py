"""Signals the courses app sends. Certificates and reports listen to them."""

from django.dispatch import Signal

# Sent once per enrolment when a learner completes a lesson for the first time.
# Arguments: enrolment, lesson.
lesson_completed = Signal()

# Sent exactly once per enrolment (per certification cycle), after the transaction that
# recorded the completion commits. Arguments: enrolment.
course_completed = Signal()

# Sent after commit when a learner enrols in a course (a new enrolment or cycle).
# Arguments: enrolment.
enrolled = Signal()

# Sent the first time a learner opens a lesson in an enrolment. Arguments: enrolment, lesson.
lesson_first_opened = Signal()

# Sent after commit when a certificate is issued, and when staff revoke one.
# Arguments: certificate.
certificate_issued = Signal()
certificate_revoked = Signal()

# Sent when a learner leaves a course (their progress is kept). Arguments: enrolment.
unenrolled = Signal()

# Sent when stored progress was recomputed in bulk for a course's enrolments (its lessons
# changed). Arguments: course_id.
progress_recomputed = Signal()
