from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "lantern.home"
    label = "home"
    verbose_name = "Home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lantern.home import admin_link

        admin_link.connect()
        self.connect_courses_url()

    def connect_courses_url(self):
        """Forget the cached Courses link when an index page, a locale or a view restriction
        changes."""
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from courses.models import CourseIndexPage
        from lantern.home.context_processors import forget_courses_url

        for signal in (page_published, page_unpublished, post_page_move, post_delete):
            signal.connect(forget_courses_url, sender=CourseIndexPage, dispatch_uid=f"cu_{signal}")
        post_save.connect(forget_courses_url, sender=CourseIndexPage, dispatch_uid="cu_save_index")
        for model in (PageViewRestriction, Site, Locale):
            post_save.connect(forget_courses_url, sender=model, dispatch_uid=f"cu_save_{model}")
            post_delete.connect(forget_courses_url, sender=model, dispatch_uid=f"cu_del_{model}")
