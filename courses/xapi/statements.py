"""xAPI 1.0.3 statements for what learners do in Lantern, with ADL verbs and activity ids under
the site's public address. Pure functions of the records: the same event always gives the same
statement (and statement id), so sending one twice, or replaying a period, changes nothing in
a learning record store."""

import uuid
from datetime import UTC
from urllib.parse import urljoin

from courses import conf

NAMESPACE = uuid.UUID("6f1d7f0e-5a3b-4c61-9d2e-3a7b8c9d0e1f")
VERSION = "1.0.3"

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": (ADL + "registered", "registered"),
    "experienced": (ADL + "experienced", "experienced"),
    "completed": (ADL + "completed", "completed"),
    "attempted": (ADL + "attempted", "attempted"),
    "passed": (ADL + "passed", "passed"),
    "failed": (ADL + "failed", "failed"),
    # Not in ADL's list: the Tin Can registry's "earned", and Lantern's own "revoked".
    "earned": ("http://id.tincanapi.com/verb/earned", "earned"),
    "revoked": (None, "revoked"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "certificate": "https://w3id.org/xapi/tla/activity-types/credential",
}


def base():
    address = conf.base_url()
    return address if address.endswith("/") else address + "/"


def activity_id(kind, key):
    """A stable activity id under the site's address, e.g. https://site/xapi/activities/course/12."""
    return urljoin(base(), f"xapi/activities/{kind}/{key}")


def statement_id(*parts):
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def iso(moment):
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def verb(name):
    iri, display = VERBS[name]
    return {"id": iri or urljoin(base(), f"xapi/verbs/{name}"), "display": {"en-US": display}}


def activity(kind, key, name):
    return {
        "objectType": "Activity",
        "id": activity_id(kind, key),
        "definition": {"type": ACTIVITY_TYPES[kind], "name": {"en-US": name}},
    }


def actor(user, agent_name, by_email=False):
    """An account on the site (a random name), or the email address when an organisation has
    chosen to identify learners by email."""
    if by_email and user.email:
        return {"objectType": "Agent", "mbox": f"mailto:{user.email.lower()}"}
    return {"objectType": "Agent", "account": {"homePage": base(), "name": str(agent_name)}}


def registration(enrolment):
    """The xAPI registration of an enrolment cycle (a UUID)."""
    return str(uuid.uuid5(NAMESPACE, f"enrolment/{enrolment.pk}"))


def course_context(enrolment):
    course = enrolment.course
    return {
        "registration": registration(enrolment),
        "platform": "Lantern",
        "contextActivities": {"parent": [activity("course", course.pk, course.title)]},
    }


def build(key, verb_name, obj, timestamp, context=None, result=None):
    """The statement without its actor (added per store). `key` names the event uniquely."""
    statement = {
        "id": statement_id(key),
        "verb": verb(verb_name),
        "object": obj,
        "timestamp": iso(timestamp),
        "version": VERSION,
    }
    if context:
        context = {k: v for k, v in context.items() if v}
        context["contextActivities"] = {
            k: v for k, v in context.get("contextActivities", {}).items() if v
        }
        statement["context"] = {k: v for k, v in context.items() if v}
    if result:
        statement["result"] = result
    return statement
