"""How the courses app uses quizzes: a lesson may hold a quiz that must be passed, and a
passed attempt completes the lessons that hold that quiz. Quizzes know nothing of courses."""

from django.utils.translation import gettext as _

from quizzes.services import has_passed


def quiz_requirement(user, lesson):
    """Completion requirement: a lesson with a live quiz needs a pass."""
    quiz = lesson.quiz if lesson.quiz_id else None
    if quiz is None or not quiz.live or has_passed(user, quiz):
        return None
    return _("Pass the quiz “%(quiz)s” to complete this lesson.") % {"quiz": quiz.title}


def complete_lessons_holding(user, quiz):
    """After a pass, complete the lessons holding the quiz in the courses the learner takes
    (lessons still locked behind earlier modules stay as they are)."""
    from courses.learning import services as progress
    from courses.models import LessonPage

    for lesson in LessonPage.objects.live().filter(quiz=quiz):
        course = lesson.course
        enrolment = progress.current_enrolment(user, course) if course else None
        if enrolment is None:
            continue
        completed = progress.completed_lesson_ids(enrolment)
        locked = progress.locked_lesson_ids(course, progress.course_lessons(course), completed)
        if lesson.id not in locked:
            progress.complete_lesson(enrolment, lesson)
