"""Joining a cohort with its invitation link or a typed code."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.cohorts import services as cohorts
from courses.cohorts.views.join import JOIN_MISSES_PER_MINUTE
from courses.models import CohortInvitation, CohortMembership, Enrolment, MembershipSource
from tests import factories


def join_url(cohort, code=None):
    return reverse("courses:join", args=[code or cohort.invite_code])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestJoinFormView:
    @property
    def url(self):
        return reverse("courses:join_form")

    def test_shows_a_labelled_form(self, client, db):
        response = client.get(self.url)
        assert response.status_code == 200
        assert b'<label for="id_code">' in response.content

    def test_a_typed_code_in_any_case_with_spaces_and_dashes_finds_the_cohort(self, client, cohort):
        code = cohort.invite_code
        typed = f" {code[:4].lower()}-{code[4:8]} {code[8:].lower()} "
        response = client.get(self.url, {"code": typed})
        assert response.status_code == 302
        assert response.url == join_url(cohort)

    @pytest.mark.parametrize("typed", ["nope", "2345-6789-ABCD", "O0O0-O0O0-O0O0", "x" * 500])
    def test_unknown_or_malformed_codes_give_the_same_error(self, client, cohort, typed):
        response = client.get(self.url, {"code": typed})
        assert response.status_code == 404
        assert b"We could not find a cohort with that code" in response.content
        assert b'class="error-summary"' in response.content

    def test_an_empty_code_asks_for_one(self, client, db):
        response = client.get(self.url, {"code": ""})
        assert response.status_code == 404
        assert b"This field is required" in response.content

    def test_a_switched_off_code_looks_unknown(self, client, cohort):
        cohort.invite_enabled = False
        cohort.save()
        response = client.get(self.url, {"code": cohort.invite_code})
        assert response.status_code == 404
        assert b"We could not find a cohort with that code" in response.content

    @pytest.mark.usefixtures("fresh_minute")
    def test_lookups_are_rate_limited_per_address(self, client, cohort):
        """Guessing is what is limited: unknown codes count against a low limit."""
        for _ in range(JOIN_MISSES_PER_MINUTE):
            assert client.get(self.url, {"code": "AAAA-BBBB-CCCC"}).status_code == 404
        response = client.get(self.url, {"code": cohort.invite_code})
        assert response.status_code == 429
        assert b"Too many tries" in response.content
        other = Client(REMOTE_ADDR="10.0.0.9")
        assert other.get(self.url, {"code": cohort.invite_code}).status_code == 302

    def test_an_office_behind_one_address_can_onboard_two_hundred_people(self, client, cohort):
        """Each person opens the link and looks the code up; all from one address."""
        for _ in range(200):
            assert client.get(self.url, {"code": cohort.invite_code}).status_code == 302
            assert client.get(join_url(cohort)).status_code == 200
        assert client.get(self.url, {"code": "AAAA-BBBB-CCCC"}).status_code == 404

    @pytest.mark.usefixtures("fresh_minute")
    def test_behind_a_trusted_proxy_each_visitor_counts_alone(self, client, cohort, settings):
        settings.LANTERN_TRUSTED_PROXY_COUNT = 1
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for _ in range(JOIN_MISSES_PER_MINUTE):
            client.get(
                self.url, {"code": "AAAA-BBBB-CCCC"}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
            )
        guesser = client.get(
            self.url, {"code": cohort.invite_code}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
        )
        assert guesser.status_code == 429
        # Another visitor through the same proxy is not blocked; nor is one who forges an
        # address to the left of the one the proxy wrote.
        neighbour = client.get(
            self.url, {"code": cohort.invite_code}, HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy
        )
        assert neighbour.status_code == 302
        forged = client.get(
            self.url,
            {"code": cohort.invite_code},
            HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
            **proxy,
        )
        assert forged.status_code == 429

    def test_post_is_not_allowed(self, client, db):
        assert client.post(self.url, {"code": "x"}).status_code == 405


class TestJoinPage:
    def test_visitors_see_the_cohort_and_how_to_log_in_or_sign_up(self, client, cohort):
        response = client.get(join_url(cohort))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Northbridge Trust &amp; Safety" in html
        assert "Moderators, spring" in html
        assert "Recognising exploitation" in html
        assert "30 June 2030" in html
        assert "sexual exploitation" in html  # the content note
        next_param = "?next=" + join_url(cohort)
        assert reverse("account_login") + next_param in html
        assert reverse("account_signup") + next_param in html
        assert 'method="post"' not in html.split("<main")[1]

    def test_logged_in_people_get_a_join_button(self, client, cohort, learner):
        client.force_login(learner)
        response = client.get(join_url(cohort))
        html = response.content.decode()
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" in html
        assert "Join Moderators, spring</button>" in html
        assert "learner@example.org" in html

    def test_joining_enrols_and_goes_to_my_learning(self, client, cohort, learner, small_course):
        client.force_login(learner)
        response = client.post(join_url(cohort))
        assert response.status_code == 302
        assert response.url == reverse("courses:dashboard")
        membership = CohortMembership.objects.get(cohort=cohort, user=learner)
        assert membership.source == MembershipSource.LINK
        enrolment = Enrolment.objects.get(user=learner, course=small_course)
        assert enrolment.cohort == cohort and enrolment.due_at == cohort.due_at
        assert any("You have joined Moderators, spring" in m for m in messages_of(response))
        dashboard = client.get(response.url)
        assert "Recognising exploitation" in dashboard.content.decode()

    def test_joining_twice_is_friendly(self, client, cohort, learner):
        client.force_login(learner)
        client.post(join_url(cohort))
        response = client.post(join_url(cohort))
        assert response.status_code == 302
        assert any("already in Moderators, spring" in m for m in messages_of(response))
        assert CohortMembership.objects.filter(cohort=cohort).count() == 1
        page = client.get(join_url(cohort))
        assert b"You are already in this cohort" in page.content

    def test_visitors_posting_are_sent_to_log_in_and_nothing_is_saved(self, client, cohort):
        response = client.post(join_url(cohort))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
        assert not CohortMembership.objects.exists()

    def test_signing_up_from_the_page_comes_back_to_it(self, client, cohort):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.moderator@example.org",
                "first_name": "Noor",
                "last_name": "Moderator",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
                "next": join_url(cohort),
            },
        )
        assert response.status_code == 302
        assert response.url == join_url(cohort)
        assert client.get(response.url).status_code == 200

    def test_a_code_typed_in_lower_case_redirects_to_the_link(self, client, cohort):
        response = client.get(join_url(cohort, cohort.invite_code.lower()))
        assert response.status_code == 302
        assert response.url == join_url(cohort)

    def test_a_code_posted_in_lower_case_still_joins(self, client, cohort, learner):
        client.force_login(learner)
        response = client.post(join_url(cohort, cohort.invite_code.lower()))
        assert response.status_code == 302
        assert CohortMembership.objects.filter(cohort=cohort, user=learner).exists()

    @pytest.mark.parametrize("code", ["AAAABBBBCCCC", "not-a-code", "A" * 80])
    def test_unknown_codes_are_a_404_refusal(self, client, cohort, learner, code):
        client.force_login(learner)
        for response in (client.get(join_url(cohort, code)), client.post(join_url(cohort, code))):
            assert response.status_code == 404
            assert b"does not work" in response.content
        assert not CohortMembership.objects.exists()

    def test_a_switched_off_link_is_a_404_and_joins_nobody(self, client, cohort, learner):
        cohort.invite_enabled = False
        cohort.save()
        client.force_login(learner)
        assert client.get(join_url(cohort)).status_code == 404
        assert client.post(join_url(cohort)).status_code == 404
        assert not CohortMembership.objects.exists()

    def test_a_replaced_code_stops_working(self, client, cohort, learner):
        old = cohort.invite_code
        cohort.rotate_invite_code()
        client.force_login(learner)
        assert client.post(join_url(cohort, old)).status_code == 404
        assert client.post(join_url(cohort)).status_code == 302

    def test_a_closed_cohort_refuses_with_a_message(self, client, cohort, learner):
        cohort.is_active = False
        cohort.save()
        assert client.get(join_url(cohort)).status_code == 403
        client.force_login(learner)
        response = client.post(join_url(cohort))
        assert response.status_code == 403
        assert b"closed to new members" in response.content
        assert not CohortMembership.objects.exists()
        assert not Enrolment.objects.exists()

    def test_a_member_of_a_closed_cohort_still_sees_it(self, client, cohort, learner):
        cohorts.join(cohort, learner)
        cohort.is_active = False
        cohort.save()
        client.force_login(learner)
        response = client.get(join_url(cohort))
        assert response.status_code == 200
        assert b"You are already in this cohort" in response.content

    def test_a_full_cohort_refuses_with_a_message(self, client, cohort, learner, make_user):
        cohort.seat_limit = 1
        cohort.save()
        cohorts.join(cohort, make_user("first@example.org"))
        assert client.get(join_url(cohort)).status_code == 409
        client.force_login(learner)
        response = client.get(join_url(cohort))
        assert response.status_code == 409
        assert b"This cohort is full" in response.content
        response = client.post(join_url(cohort))
        assert response.status_code == 409
        assert b"you were not added" in response.content
        assert cohort.memberships.count() == 1
        assert not Enrolment.objects.filter(user=learner).exists()

    def test_someone_invited_to_a_full_cohort_can_still_take_their_place(
        self, client, cohort, learner
    ):
        cohort.seat_limit = 1
        cohort.save()
        CohortInvitation.objects.create(cohort=cohort, email="Learner@Example.org")
        client.force_login(learner)
        assert client.get(join_url(cohort)).status_code == 200
        assert client.post(join_url(cohort)).status_code == 302
        membership = CohortMembership.objects.get(cohort=cohort)
        assert membership.source == MembershipSource.INVITATION
        assert not cohort.invitations.exists()

    def test_joining_needs_the_csrf_token(self, cohort, learner):
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        assert client.post(join_url(cohort)).status_code == 403
        assert not CohortMembership.objects.exists()

    def test_other_methods_are_not_allowed(self, client, cohort):
        assert client.put(join_url(cohort)).status_code == 405
        assert client.delete(join_url(cohort)).status_code == 405

    @pytest.mark.usefixtures("fresh_minute")
    def test_join_links_are_rate_limited_too(self, client, cohort):
        for _ in range(JOIN_MISSES_PER_MINUTE):
            client.get(join_url(cohort, "AAAABBBBCCCC"))
        assert client.get(join_url(cohort)).status_code == 429


@pytest.mark.django_db(transaction=True)
class TestJoinByLinkUnderConcurrency:
    def test_parallel_joins_by_link_never_exceed_the_seats(self):
        if connection.vendor != "postgresql":
            pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
        index = factories.make_course_index()
        course_page, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
        cohort = factories.make_cohort(course_page, seat_limit=3)
        url = join_url(cohort)
        clients = []
        for i in range(8):
            user = factories.verify_email(
                get_user_model().objects.create_user(email=f"p{i}@example.org", password="x")
            )
            client = Client()
            client.force_login(user)
            clients.append(client)
        pending = list(clients)

        def post_join():
            return pending.pop().post(url).status_code

        results, errors = factories.race(post_join, threads=8)
        assert errors == []
        assert sorted(results) == [302, 302, 302, 409, 409, 409, 409, 409]
        assert CohortMembership.objects.filter(cohort=cohort).count() == 3
        assert Enrolment.objects.filter(cohort=cohort).count() == 3
