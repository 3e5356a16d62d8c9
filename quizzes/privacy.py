"""A learner's quiz attempts and time accommodations, for "Download my data" (see the host
site's settings).

About the staff who granted an accommodation, the download gives a name only: their full name,
or "A member of staff" when they have none; never their email address or account id."""

STAFF_WITHOUT_NAME = "A member of staff"


def _iso(value):
    return value.isoformat() if value else None


def staff_name(user):
    """What the download says about a member of staff: a name, never an email address."""
    if user is None:
        return None
    return user.get_full_name().strip() or STAFF_WITHOUT_NAME


def _accommodations(user):
    """Each accommodation with its terms, the staff note, and who granted it and when (from
    the admin's history of the record: its creation, and its latest change if any)."""
    from wagtail.log_actions import registry as log_registry

    from .models import Accommodation

    data = []
    for accommodation in (
        Accommodation.objects.filter(user=user).select_related("quiz").order_by("pk")
    ):
        logs = list(
            log_registry.get_logs_for_instance(accommodation)
            .filter(action__in=["wagtail.create", "wagtail.edit"])
            .select_related("user")
            .order_by("timestamp", "pk")
        )
        created = next((log for log in logs if log.action == "wagtail.create"), None)
        changed = logs[-1] if logs and logs[-1].action == "wagtail.edit" else None
        data.append(
            {
                "quiz": accommodation.quiz.title if accommodation.quiz else "All quizzes",
                "extra_time_percent": accommodation.extra_time_percent,
                "no_time_limit": accommodation.no_time_limit,
                "note": accommodation.note,
                "granted_by": staff_name(created.user) if created else None,
                "granted_at": _iso(created.timestamp) if created else None,
                "last_changed_by": staff_name(changed.user) if changed else None,
                "last_changed_at": _iso(changed.timestamp) if changed else None,
            }
        )
    return data


def export_user_data(user):
    from .models import Attempt

    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz")
        .prefetch_related("answers")
        .order_by("quiz_id", "number")
    )
    data = []
    for attempt in attempts:
        chosen = {a.question_id: (a.choice_ids, a.score) for a in attempt.answers.all()}
        data.append(
            {
                "quiz": attempt.quiz.title,
                "attempt": attempt.number,
                "status": attempt.status,
                "started_at": _iso(attempt.started_at),
                "submitted_at": _iso(attempt.submitted_at),
                "late": attempt.late,
                "percent": attempt.percent,
                "passed": attempt.passed,
                "jurisdiction": attempt.jurisdiction,
                "language": attempt.language,
                "answers": [
                    {
                        "question": question["text"],
                        "chosen": [
                            c["text"]
                            for c in question["choices"]
                            if c["id"] in chosen.get(question["id"], ([], 0))[0]
                        ],
                        "score": chosen.get(question["id"], (None, None))[1],
                    }
                    for question in attempt.snapshot
                ],
            }
        )
    return {"attempts": data, "accommodations": _accommodations(user)}


def erase_user_data(user):
    from .models import Accommodation, Attempt

    Attempt.objects.filter(user=user).delete()
    Accommodation.objects.filter(user=user).delete()
