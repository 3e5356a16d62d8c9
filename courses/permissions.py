"""Permission policies of the courses models, registered in `CoursesConfig.ready()`."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Only "view" can ever be granted: learner records change through the site, not here."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions, **kwargs):
        if "view" not in actions:
            return super().users_with_any_permission([], **kwargs)
        return super().users_with_any_permission(["view"], **kwargs)


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """View with the view or change permission; "revoke" needs change; nothing else, ever."""

    granted_by = {"view": ("view", "change"), "revoke": ("change",)}

    def user_has_permission(self, user, action):
        return any(
            super(CertificatePermissionPolicy, self).user_has_permission(user, permission)
            for permission in self.granted_by.get(action, ())
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions, **kwargs):
        permissions = sorted({p for action in actions for p in self.granted_by.get(action, ())})
        return super().users_with_any_permission(permissions, **kwargs)


class OutboundEmailPermissionPolicy(CertificatePermissionPolicy):
    """View outgoing emails with the view or change permission; "retry" needs change."""

    granted_by = {"view": ("view", "change"), "retry": ("change",)}
