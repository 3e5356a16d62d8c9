"""Request ids and structured (JSON) log lines.

`RequestIdMiddleware` gives each request an id: the `X-Request-ID` a trusted proxy sent (when
it looks like an id) or a new one. It is returned in the response's `X-Request-ID` header and
added to every log record emitted while the request runs, so one request's lines can be found
across app servers. `JsonFormatter` writes one JSON object per line.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
request_id_var = contextvars.ContextVar("lantern_request_id", default="")


def current_request_id():
    """The id of the request being served in this thread, or "" outside a request."""
    return request_id_var.get()


class RequestIdMiddleware:
    """Assigns the request id, exposes it on the request and the response."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(forget_request_id, dispatch_uid="lantern_forget_request_id")

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (request_finished), so that Django's own log line
        # for an error response, written after the middleware returns, carries the id too.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def forget_request_id(**kwargs):
    """`request_finished` receiver: log lines after the response belong to no request."""
    request_id_var.set("")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request)."""

    def filter(self, record):
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any error."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
