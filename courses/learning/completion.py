"""What a lesson needs before it can be marked complete, beyond the learner's say-so.

Other apps register requirements here; the quizzes integration, for example, requires a
passed quiz for lessons that hold one. A requirement is a callable
``requirement(user, lesson) -> str | None`` returning ``None`` when satisfied, or a message
for the learner saying what is still needed.
"""

_requirements = []


def register_requirement(requirement):
    """Add a requirement (usable as a decorator). Registering the same one twice is a no-op."""
    if requirement not in _requirements:
        _requirements.append(requirement)
    return requirement


def unregister_requirement(requirement):
    if requirement in _requirements:
        _requirements.remove(requirement)


def unmet_requirements(user, lesson):
    """Messages for every requirement the user has not yet met for this lesson."""
    messages = []
    for requirement in _requirements:
        message = requirement(user, lesson)
        if message:
            messages.append(message)
    return messages
