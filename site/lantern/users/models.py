from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def normalise_email(email):
    """Emails are stored lower-case so that one address is one account."""
    return (email or "").strip().lower()


def is_email_address(text):
    """Whether the text is an email address (not a name to print)."""
    if "@" not in text:
        return False
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


class UserManager(BaseUserManager):
    """Creates users whose login is their email address."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        email = normalise_email(email)
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email=normalise_email(username))


class User(AbstractUser):
    """A person with an account: learners, editors, reviewers and cohort managers."""

    username = None
    email = models.EmailField(
        _("email address"),
        unique=True,
        error_messages={"unique": _("An account with this email address already exists.")},
    )
    name_on_certificate = models.CharField(
        _("name on certificate"),
        max_length=200,
        blank=True,
        help_text=_("Your name as it should appear on certificates. Leave blank to use your name."),
    )

    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_(
            "The language the site and its emails use for this person (one of LANGUAGES). "
            "Blank: the site's default language."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def preferred_language(self):
        """The interface language chosen on the switcher, if the site still offers it, else the
        default language: emails and the page after sign-in use it."""
        if self.language in dict(settings.LANGUAGES):
            return self.language
        return settings.LANGUAGE_CODE

    @property
    def certificate_name(self):
        """The name printed on certificates: the chosen one, else the full name, else "" (no
        certificate is issued until the person gives a name). Never an email address, even one
        typed into a name field."""
        for candidate in (self.name_on_certificate, self.get_full_name()):
            candidate = (candidate or "").strip()
            if candidate and not is_email_address(candidate):
                return candidate
        return ""
