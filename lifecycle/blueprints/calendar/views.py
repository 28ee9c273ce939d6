"""The personal calendar feed (fetched by calendar apps, without a session) and its settings."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.policy import signed_in
from lifecycle.services.calendar import calendar_for
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.calendar import revoke_calendar_token
from lifecycle.services.calendar import user_for_calendar_token
from lifecycle.timeutil import local_today

bp = Blueprint("calendar", __name__)

#: fetches of one feed address; calendar apps poll every few minutes at most
FEED_RATE_LIMIT = "60 per minute"
#: unknown addresses asked for from one network address; successful fetches do not count, so many
#: subscriptions polled from one calendar service (Google, Microsoft) are never held back
FEED_MISS_RATE_LIMIT = "20 per minute"


def feed_token_key() -> str:
    """Key the feed's limit by the address's token, so each subscription has its own budget."""
    return "calendar-feed:" + str((request.view_args or {}).get("token", ""))


def feed_missed(response: Response) -> bool:
    return response.status_code == 404


@bp.get("/calendar/<string(maxlength=64):token>.ics")
@limiter.limit(FEED_RATE_LIMIT, key_func=feed_token_key)
@limiter.limit(FEED_MISS_RATE_LIMIT, deduct_when=feed_missed)
def feed(token: str) -> Response:
    """Serve the user's own upcoming items as an iCalendar document; the token is the credential."""
    user = user_for_calendar_token(token)
    if user is None:
        abort(404)
    response = Response(calendar_for(user, local_today()), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="chefsresan.ics"'
    # The address is a secret and the content personal: no proxy or browser keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/account/calendar")
def issue() -> Response:
    """Create the user's feed address, or replace it so the old one stops working."""
    user = signed_in()
    replaced = user.calendar_token is not None
    issue_calendar_token(user)
    db.session.commit()
    if replaced:
        flash(_("You have a new calendar address. The old one no longer works."), "success")
    else:
        flash(_("Your calendar address is ready. Add it to your calendar app as a subscription."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/account/calendar/revoke")
def revoke() -> Response:
    """Stop the user's feed; its address stops working at once."""
    user = signed_in()
    revoke_calendar_token(user)
    db.session.commit()
    flash(_("Your calendar feed is stopped."), "success")
    return redirect(url_for("account.settings"))
