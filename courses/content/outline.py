"""A course's outline as HTML, built in Python: the lesson page's course contents and the
course page's outline list each hold every lesson of the course, and rendering them through
the template engine, with `{% pageurl %}` per lesson, was most of those pages' time.

The markup is the one the templates produced; every title is escaped by `format_html`, and
the fixed words are translated once per outline.
"""

import html
from urllib.parse import quote

from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext


def format_html(format_string, *args):
    """Django's `format_html` (the same output: each argument escaped unless it is already
    safe), without its lazy-string and keyword handling, which cost a few thousand calls on a
    60-lesson outline."""
    return SafeString(
        format_string.format(
            *(arg.__html__() if hasattr(arg, "__html__") else html.escape(str(arg)) for arg in args)
        )
    )


def urls_below(ancestor, pages, request=None):
    """The URLs of `pages`, all below `ancestor`, by page id: the ancestor's URL is worked out
    once and each page's URL path appended to it (as Wagtail's `reverse("wagtail_serve")`
    quotes it). A page the shortcut cannot place gets Wagtail's own `get_url`."""
    base = ancestor.get_url(request=request)
    prefix = ancestor.url_path
    shortcut = isinstance(base, str) and base.endswith("/") and prefix.endswith("/")
    urls = {}
    for page in pages:
        if shortcut and page.url_path.startswith(prefix):
            rest = page.url_path[len(prefix) :]
            urls[page.pk] = base + quote(rest, safe=RFC3986_SUBDELIMS + "/~:@")
        else:
            urls[page.pk] = page.get_url(request=request)
    return urls


_ICONS = {"completed": "✓", "locked": "–"}


def _contents_states():
    return {
        "completed": format_html(
            '<span class="course-contents__state">{}</span>', gettext("Completed")
        ),
        "locked": format_html('<span class="course-contents__state">{}</span>', gettext("Locked")),
        "not_started": format_html(
            '<span class="visually-hidden">{}</span>', gettext("Not started")
        ),
    }


def course_contents_html(modules, urls):
    """The lesson page's "Course contents" navigation, from `course_contents` (modules of
    `OutlineLesson`) and the lessons' URLs by id."""
    states = _contents_states()
    here = format_html('<span class="course-contents__state">{}</span>', gettext("You are here"))
    parts = [
        format_html(
            '<nav class="course-contents__nav" aria-label="{}">', gettext("Course contents")
        )
    ]
    parts.append('<ol class="course-contents__modules">')
    for module in modules:
        parts.append(
            format_html(
                '<li class="course-contents__module">'
                '<p class="course-contents__module-title">{}</p>'
                '<ol class="course-contents__lessons">',
                module.title,
            )
        )
        for item in module.lessons:
            classes = "course-contents__lesson"
            if item.state:
                classes += f" course-contents__lesson--{item.state}"
            if item.current:
                classes += " course-contents__lesson--here"
            if item.state == "completed":
                icon, state = _ICONS["completed"], states["completed"]
            elif item.current:
                icon, state = "›", here
            elif item.state == "locked":
                icon, state = _ICONS["locked"], states["locked"]
            else:
                icon, state = "○", states.get(item.state, "")
            parts.append(
                format_html(
                    '<li class="{}"><a href="{}"{}>'
                    '<span class="course-contents__icon" aria-hidden="true">{}</span> '
                    '<span class="course-contents__title">{}</span> {}</a></li>',
                    classes,
                    urls[item.page.pk],
                    mark_safe(' aria-current="page"') if item.current else "",  # noqa: S308
                    icon,
                    item.page.title,
                    state,
                )
            )
        parts.append("</ol></li>")
    parts.append("</ol></nav>")
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


def course_outline_html(outline, urls, enrolled):
    """The course page's outline: each live module (with its state once enrolled) and its
    lessons, from `CoursePage.get_outline` with `state` set on modules and lessons."""
    if not outline:
        return format_html(
            '<ol class="outline"><li>{}</li></ol>',
            gettext("This course has no published modules yet."),
        )
    module_pills = {
        "done": pgettext("module state", "Complete"),
        "locked": gettext("Locked"),
        "in_progress": gettext("In progress"),
    }
    lesson_pills = {"done": gettext("Completed"), "locked": gettext("Locked")}
    not_started = gettext("Not started")
    content_note = gettext("Content note")
    minutes = gettext("%(minutes)s min")
    lessons_class = "outline__lessons" if enrolled else "outline__lessons outline__lessons--plain"
    parts = ['<ol class="outline">']
    for module, lessons in outline:
        pill = ""
        if enrolled and module.state != "not_started":
            pill = format_html(
                ' <span class="status-pill state--{}">{}</span>',
                module.state,
                module_pills.get(module.state, module_pills["in_progress"]),
            )
        parts.append(
            format_html(
                '<li class="outline__module"><h3><a href="{}">{}</a>{}</h3><ol class="{}">',
                urls[module.pk],
                module.title,
                pill,
                lessons_class,
            )
        )
        parts.extend(
            format_html(
                '<li class="lesson-item lesson-item--{}">{} <a href="{}">{}</a> '
                '<span class="meta">{}</span>{}</li>',
                lesson.state,
                format_html(
                    '<span class="status-pill state state--{}">{}</span>',
                    lesson.state,
                    lesson_pills.get(lesson.state, not_started),
                )
                if enrolled
                else "",
                urls[lesson.pk],
                lesson.title,
                minutes % {"minutes": lesson.estimated_minutes},
                format_html(
                    ' <span class="badge" title="{}">{}</span>', lesson.content_note, content_note
                )
                if lesson.content_note
                else "",
            )
            for lesson in lessons
        )
        parts.append("</ol></li>")
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)
