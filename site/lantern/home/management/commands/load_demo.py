from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lantern.home import demo


class Command(BaseCommand):
    help = (
        "Load Lantern's demo content: the site, helplines and demo accounts (password "
        f"'{demo.DEMO_PASSWORD}'). Safe to run again: it updates what is there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with production settings (creates accounts with a public password).",
        )

    def handle(self, *args, force=False, **options):
        if getattr(settings, "LANTERN_ENVIRONMENT", "") == "production" and not force:
            raise CommandError(
                "load_demo creates accounts with a published password and is refused with "
                "production settings. Use --force if you really mean it."
            )
        with transaction.atomic():
            demo.remove_welcome_page()
            home = demo.ensure_home_page()
            helplines = demo.load_helplines()
            demo.ensure_accounts()
            index = demo.ensure_course_index(home)
            courses = demo.load_courses(index)
            demo.update_home_page(home, courses)
            translated = demo.load_translations()
            demo.ensure_review_workflow(index)
            demo.ensure_learner_progress(courses)
            demo.ensure_colleagues_with_results(courses)
            demo.ensure_learner_certificates(courses)
            cohort = demo.ensure_partner_cohort(courses)
        call_command("update_index", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content loaded: {len(courses)} courses, {helplines} helplines."
            )
        )
        self.stdout.write(
            f"Content languages: {', '.join(demo.DEMO_LOCALES)}; Spanish translations saved: "
            f"{translated} (from the twins in fixtures/curriculum/es/ and fixtures/es/)."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {demo.DEMO_PASSWORD})")
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<24} {account.role}")
        self.stdout.write(
            f"  learner01..{len(demo.COLLEAGUES):02d}@example.org  more learners, for reports"
        )
        self.stdout.write("")
        self.stdout.write(
            f"manager@example.org manages {cohort.organisation.name}: cohort "
            f'"{cohort.name}" at /manage/, invitation code {cohort.invite_code}.'
        )
