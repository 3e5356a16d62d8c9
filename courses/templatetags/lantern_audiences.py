"""`{{ course.audiences.all|audience_names|join:", " }}`: who a course is for, in the active
content language (`courses.models.pages.audience_names`)."""

from django import template

from courses.models.pages import audience_names as names_in_language

register = template.Library()


@register.filter
def audience_names(audiences):
    """The names of these audiences, translated where a translation exists."""
    return names_in_language(audiences)
