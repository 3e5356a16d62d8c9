"""A learner's quiz attempts, for "Download my data" (see the host site's settings)."""


def _iso(value):
    return value.isoformat() if value else None


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
    return {"attempts": data}


def erase_user_data(user):
    from .models import Accommodation, Attempt

    Attempt.objects.filter(user=user).delete()
    Accommodation.objects.filter(user=user).delete()
