"""`{% lesson_body %}`: a lesson's body blocks, with the blocks that hold no learner state
read from the cache (`courses.content.page_cache.render_lesson_body`)."""

from django import template

from courses.content.page_cache import render_lesson_body

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_body(context, page=None):
    """The same HTML as `{% for block in page.body %}{% include_block block %}{% endfor %}`."""
    return render_lesson_body(page or context["page"], context)
