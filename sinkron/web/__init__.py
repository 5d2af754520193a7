"""HTTP: pages, the join API, imports and downloads, one blueprint per area."""
from flask import Flask, jsonify, render_template, request

from ..i18n import translate
from ..meeting.errors import N_


def register_blueprints(app: Flask) -> None:
    from . import api, links, meetings, organisers, pages
    app.register_blueprint(pages.bp)
    app.register_blueprint(organisers.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(api.bp)
    from . import screens
    app.register_blueprint(screens.bp)
    from . import minutes
    app.register_blueprint(minutes.bp)

    def wants_json() -> bool:
        return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"

    def error_page(status: int, message: str):
        text = translate(message)
        if wants_json():
            codes = {400: "invalid", 401: "forbidden", 403: "forbidden", 404: "not_found",
                     405: "invalid", 409: "conflict", 413: "invalid", 429: "rate_limited",
                     503: "unavailable"}
            return jsonify(error={"code": codes.get(status, "unavailable"), "message": text}), status
        return render_template("error.html", message=text, status=status), status

    messages = {
        400: N_("The request could not be read."),
        401: N_("Please open your private link first."),
        403: N_("Your role may not do this."),
        404: N_("Not found."),
        405: N_("This address does not accept that method."),
        413: N_("The file is too large."),
        429: N_("Too many requests. Wait a moment."),
        500: N_("Something went wrong on the server. Please try again."),
        503: N_("The server could not save this. Please try again."),
    }
    for status, message in messages.items():
        app.register_error_handler(status, lambda exc, s=status, m=message: error_page(s, m))
