"""HR's activity catalogue, and HR adding an activity for one manager or a group."""

from __future__ import annotations

import re

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.activities.forms import ActivityForm
from lifecycle.blueprints.activities.forms import CatalogueItemForm
from lifecycle.blueprints.activities.forms import TaggedForm
from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import CatalogueItem
from lifecycle.models import Manager
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.activities import set_catalogue_item_active
from lifecycle.services.platform import get_platform
from lifecycle.services.talent_pool import pool_members_among
from lifecycle.urls import parse_id

bp = Blueprint("activities", __name__, template_folder="templates")

MAX_PARTICIPANTS = 500


def _tag_choices(form: TaggedForm) -> None:
    platform = get_platform()
    pillars = [p for p in platform.pillars if not p.is_retired] if platform else []
    form.kind.choices = [SelectChoice(kind.value, kind.title) for kind in ActivityKind]
    form.pillars.choices = [SelectChoice(p.key, localized(p, "name")) for p in pillars]
    form.expectations.choices = [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(p, 'name')})")
        for p in pillars
        for e in p.expectations
        if not e.is_retired
    ]


@bp.get("/catalogue")
def catalogue() -> str:
    """List the catalogue of reusable activities with their default pillars."""
    items = db.session.scalars(
        select(CatalogueItem)
        .options(selectinload(CatalogueItem.pillars), selectinload(CatalogueItem.expectations))
        .order_by(CatalogueItem.is_active.desc(), CatalogueItem.title)
    )
    return render_template("activities/catalogue.html", items=list(items))


@bp.route("/catalogue/new", methods=["GET", "POST"])
def new_catalogue_item() -> str | Response:
    """Add a reusable activity with its default pillar and expectation tags."""
    signed_in()
    form = CatalogueItemForm()
    _tag_choices(form)
    if form.validate_on_submit():
        try:
            pillars, expectations = resolve_tags(form.pillars.data or [], form.expectations.data or [])
            item = create_catalogue_item(
                title=form.title.data or "",
                kind=ActivityKind(form.kind.data),
                description=form.description.data or "",
                pillars=pillars,
                expectations=expectations,
            )
        except ActivityError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(title)s is in the catalogue.", title=item.title), "success")
            return redirect(url_for("activities.catalogue"))
    return render_template("activities/catalogue_form.html", form=form)


@bp.post("/catalogue/<id:item_id>/active")
def toggle_catalogue_item(item_id: int) -> Response:
    """Offer a catalogue activity, or stop offering it (it stays on history)."""
    signed_in()
    item = db.session.get(CatalogueItem, item_id)
    if item is None:
        abort(404)
    set_catalogue_item_active(item, request.form.get("active") == "1")
    db.session.commit()
    return redirect(url_for("activities.catalogue"))


def _participants(typed: str, form: ActivityForm) -> list[Manager] | None:
    user = signed_in()
    numbers = [n for n in re.split(r"[\s,;]+", typed) if n]
    if len(numbers) > MAX_PARTICIPANTS:
        form.participants.errors = [_("At most %(count)s participants.", count=MAX_PARTICIPANTS)]
        return None
    found = {
        m.employee_number: m
        for m in db.session.scalars(
            select(Manager).where(Manager.employee_number.in_(numbers), visible_managers_clause(user))
        )
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        form.participants.errors = [
            _("No one has the employee number %(number)s.", number=", ".join(missing))
        ]
        return None
    return [found[n] for n in dict.fromkeys(numbers)]


def _pool_members(form: ActivityForm) -> list[Manager]:
    """Offer the members of the talent pool chosen on its page (`?member=`), all ticked at first."""
    ids = [i for i in (parse_id(value) for value in request.args.getlist("member")) if i is not None]
    members = pool_members_among(ids[:MAX_PARTICIPANTS])
    form.members.choices = [SelectChoice(m.id, m.name) for m in members]
    if request.method == "GET":
        form.members.data = [m.id for m in members]
        if request.args.get("kind") in {kind.value for kind in ActivityKind}:
            form.kind.data = request.args["kind"]
    return members


def _chosen(form: ActivityForm, members: list[Manager]) -> list[Manager] | None:
    """The participants: those named by employee number, then the pool members ticked; None on an error."""
    named = _participants(form.participants.data or "", form) if form.participants.data else []
    if named is None:
        return None
    ticked = set(form.members.data or [])
    chosen = list(dict.fromkeys([*named, *(m for m in members if m.id in ticked)]))
    if not chosen:
        form.participants.errors = [_("Name at least one participant.")]
        return None
    return chosen


@bp.route("/activities/new", methods=["GET", "POST"])
def new_activity() -> str | Response:
    """Add an activity (an interview, a workshop, a course ...) for one manager or a group."""
    user = signed_in()
    form = ActivityForm()
    _tag_choices(form)
    manager_id = parse_id(request.args.get("manager"))
    first = get_manager_or_404(user, manager_id) if manager_id else None
    members = _pool_members(form)
    if request.method == "GET" and first is not None and first.employee_number:
        form.participants.data = first.employee_number
    if form.validate_on_submit():
        participants = _chosen(form, members)
        if participants is not None:
            try:
                pillars, expectations = resolve_tags(form.pillars.data or [], form.expectations.data or [])
                add_activity(
                    kind=ActivityKind(form.kind.data),
                    title=form.title.data or "",
                    description=form.description.data or "",
                    participants=participants,
                    pillars=pillars,
                    expectations=expectations,
                    actor=user,
                    due_on=form.due_on.data,
                    completed_on=form.completed_on.data,
                )
            except ActivityError as refused:
                db.session.rollback()
                form[refused.field].errors = [str(refused)]
            else:
                db.session.commit()
                flash(
                    _("The activity is added for %(count)s participants.", count=len(participants)), "success"
                )
                if members:
                    return redirect(url_for("talent_pool.members"))
                target = participants[0] if len(participants) == 1 else None
                return redirect(
                    url_for("managers.detail", manager_id=target.id) if target else url_for("main.index")
                )
    return render_template("activities/activity_form.html", form=form, first=first, members=members)
