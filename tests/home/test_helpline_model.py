import pytest
from django.db import IntegrityError, transaction

from courses.models import Helpline
from tests import factories

pytestmark = pytest.mark.django_db


class TestHelpline:
    def test_must_have_a_way_to_reach_it(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Helpline.objects.create(country="X", name="Unreachable")
        assert not Helpline.objects.exists()

    def test_for_country_includes_international(self):
        factories.make_helpline("United Kingdom", "UK line")
        factories.make_helpline("International", "Everywhere line")
        factories.make_helpline("Canada", "CA line")
        names = {h.name for h in Helpline.objects.for_country("united kingdom")}
        assert names == {"UK line", "Everywhere line"}
        assert Helpline.objects.for_country("").count() == 3
