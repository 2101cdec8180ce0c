"""Domain errors raised by services, and the error pages every failure ends on."""

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule refused the action; the message is shown to the user as is."""

    status_code = 400

    def __init__(self, message=None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message

    default_message = _l("This action cannot be done.")

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    status_code = 404
    default_message = _l("This page does not exist.")


class PermissionDenied(DomainError):
    status_code = 403
    default_message = _l("You are not allowed to do this.")


class InvalidTransition(DomainError):
    status_code = 409
    default_message = _l("This change is not possible in the current state.")


class Conflict(DomainError):
    status_code = 409
    default_message = _l("This conflicts with what is already recorded.")


class ValidationFailed(DomainError):
    """Input a service refuses; `field` names the form field it belongs to, when there is one."""

    status_code = 422

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message)
        self.field = field


ERROR_PAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you sent and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have the right to see this page or do this action.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("This action conflicts with the current state of the page.")),
    413: (
        _l("Content too large"),
        _l("What you sent is too large. Please send something smaller."),
    ),
    422: (_l("Invalid input"), _l("Some of what you sent is not valid.")),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests in a short time. Please wait a moment and try again."),
    ),
    500: (
        _l("Server error"),
        _l("Something went wrong on our side. The team has been told; please try again later."),
    ),
    503: (_l("Service unavailable"), _l("The service is very busy. Please try again in a moment.")),
}


def render_error(status: int, detail: str | None = None, retry_after: int | None = None):
    title, message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    try:
        body = render_template(
            "errors/error.html", status=status, title=title, message=detail or message
        )
    except Exception:  # noqa: BLE001 - the error page must never fail itself
        current_app.logger.exception("error page failed to render")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    response = current_app.response_class(body, status=status, mimetype="text/html")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        retry_after = None
        if error.code == 429:
            retry_after = int(getattr(error, "retry_after", None) or 60)
        response = render_error(error.code, retry_after=retry_after)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        from flask_babel import gettext

        return render_error(
            400,
            gettext(
                "The form expired or was sent from elsewhere. Please go back, reload the page "
                "and send it again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, str(error))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
