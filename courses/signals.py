"""Signals the courses app sends. Certificates and reports listen to them."""

from django.dispatch import Signal

# Sent once per enrolment when a learner completes a lesson for the first time.
# Arguments: enrolment, lesson.
lesson_completed = Signal()

# Sent exactly once per enrolment (per certification cycle), after the transaction that
# recorded the completion commits. Arguments: enrolment.
course_completed = Signal()
