"""Who may author and publish quizzes: Wagtail's "Editors" and "Moderators" groups.

Editors add and change quizzes, with their questions and choices (edited inside the quiz
form), and so see item analysis; they submit changes to review. Moderators can do the same and
also publish, directly or by approving a workflow. Used by the `0002_quiz_workflow` data
migration (with the historical `apps`) and by the demo loader, so both stay in step.
"""

from django.apps import apps as global_apps

EDITORS = "Editors"
MODERATORS = "Moderators"

AUTHORING = {
    "quiz": ("add", "change", "view"),
    "question": ("add", "change", "delete", "view"),
    "choice": ("add", "change", "delete", "view"),
}
PUBLISHING = {"quiz": ("publish", "lock", "unlock")}

GROUP_PERMISSIONS = {
    EDITORS: [AUTHORING],
    MODERATORS: [AUTHORING, PUBLISHING],
}


def _permissions(apps, grants):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for grant in grants:
        for model_name, actions in grant.items():
            model = apps.get_model("quizzes", model_name)
            content_type, _ = ContentType.objects.get_or_create(
                app_label="quizzes", model=model_name
            )
            for action in actions:
                # On a fresh database Django and Wagtail create these after every migration
                # has run (post_migrate); create them now, under the names they would use.
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model_name}",
                    defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
                )
                permissions.append(permission)
    return permissions


def grant_authoring_permissions(apps=global_apps):
    """Give the Editors and Moderators groups their quiz permissions, if the groups exist.
    Safe to run again."""
    Group = apps.get_model("auth", "Group")
    for name, grants in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, grants))
