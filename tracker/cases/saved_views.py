"""Saved views: an officer names the current filters and sort of a case list, and may share
the view with an office. A view keeps the parameters, never the results: whoever opens it or
counts it reads the list through their own scope."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from tracker.audit import service as audit
from tracker.auth.models import Office, User
from tracker.cases.listing import CaseList, list_of, readable_lists
from tracker.cases.models import SavedView
from tracker.domain import FieldError, StaleRecord
from tracker.extensions import db
from tracker.forms import CONTROL_CHARACTERS

NAME_LENGTH = 80


class ViewError(FieldError):
    """A saved view's rule was broken."""


def _clean_name(name: str | None) -> str:
    name = CONTROL_CHARACTERS.sub("", name or "").strip()
    if not name:
        raise ViewError(_("Give the view a name."), "name")
    if len(name) > NAME_LENGTH:
        raise ViewError(_("Keep the name under %(limit)s characters.", limit=NAME_LENGTH),
                        "name")
    return name


def _check_unique(owner: User, case_list: CaseList, name: str, view_id: int | None = None):
    taken = db.session.scalar(select(SavedView.id).where(
        SavedView.owner_id == owner.id, SavedView.kind == case_list.kind,
        SavedView.name == name, SavedView.id != (view_id or 0)))
    if taken is not None:
        raise ViewError(_("You have a view called %(name)s already.", name=name), "name")


def save_view(owner: User, case_list: CaseList, name: str, params: MultiDict) -> SavedView:
    """Keep the list's filters and sort (taken from the address's parameters) under a name."""
    name = _clean_name(name)
    sort = params.get("sort") or case_list.sorts[0]
    filters = {key: params.get(key) for key in case_list.filters if params.get(key)}
    if sort not in case_list.sorts or case_list.query(case_list.params(filters, sort)) is None:
        raise ViewError(_("These filters cannot be saved: correct them and show the list "
                          "again first."))
    _check_unique(owner, case_list, name)
    view = SavedView(kind=case_list.kind, owner=owner, name=name,
                     filters=json.dumps(filters, sort_keys=True), sort=sort)
    db.session.add(view)
    db.session.flush()
    audit.record("saved_view.created", object_type="saved_view", object_id=view.id,
                 actor=owner, details={"list": case_list.kind.value})
    return view


def _check_owner(view: SavedView, actor: User, version: int | None) -> None:
    if view.owner_id != actor.id:
        raise ViewError(_("Only the officer who saved a view may change it."))
    if version is None or version != view.version:
        raise StaleRecord(_("The view was changed after you opened this page."))


def rename_view(view: SavedView, actor: User, name: str, *, version: int | None) -> SavedView:
    _check_owner(view, actor, version)
    name = _clean_name(name)
    _check_unique(actor, list_of(view.kind), name, view.id)
    view.name = name
    db.session.flush()
    audit.record("saved_view.renamed", object_type="saved_view", object_id=view.id, actor=actor)
    return view


def share_view(view: SavedView, actor: User, office: Office | None, *,
               version: int | None) -> SavedView:
    """Share the view with an office the owner serves (None: keep it to oneself)."""
    _check_owner(view, actor, version)
    if office is not None and office.id not in {o.id for o in
                                                list_of(view.kind).offices_served(actor)}:
        raise ViewError(_("Share it with an office you serve."), "office")
    view.shared_office = office
    db.session.flush()
    audit.record("saved_view.shared" if office else "saved_view.unshared",
                 object_type="saved_view", object_id=view.id, actor=actor,
                 details={"office": office.code} if office else None)
    return view


def delete_view(view: SavedView, actor: User, *, version: int | None) -> None:
    _check_owner(view, actor, version)
    db.session.delete(view)
    db.session.flush()
    audit.record("saved_view.deleted", object_type="saved_view", object_id=view.id, actor=actor)


def _visible(user: User):
    """Clause: the user's own views and those shared with their office."""
    return or_(SavedView.owner_id == user.id, SavedView.shared_office_id == user.office_id)


def find_view(user: User, case_list: CaseList, view_id: int) -> SavedView | None:
    """A view of this list that the user may open (their own or shared with their office)."""
    if not 0 < view_id < 2**31 or not case_list.readable_by(user):
        return None
    return db.session.scalar(select(SavedView).where(
        SavedView.id == view_id, SavedView.kind == case_list.kind, _visible(user)))


def views_of(user: User, case_list: CaseList) -> list[SavedView]:
    if not case_list.readable_by(user):
        return []
    return list(db.session.scalars(
        select(SavedView).where(SavedView.kind == case_list.kind, _visible(user))
        .order_by(SavedView.owner_id != user.id, SavedView.name, SavedView.id)))


def params_of(view: SavedView) -> MultiDict:
    """The list address's parameters for this view."""
    case_list = list_of(view.kind)
    try:
        filters = json.loads(view.filters)
    except ValueError:
        filters = {}
    return case_list.params(filters if isinstance(filters, dict) else {}, view.sort)


@dataclass
class Counted:
    view: SavedView
    case_list: CaseList
    count: int | None  # None: the filters no longer name anything valid

    @property
    def shared(self) -> bool:
        return self.view.shared_office_id is not None


def views_with_counts(user: User) -> list[Counted]:
    """The home page's views: each readable list's own and shared views, with the number of
    cases each shows this user now (counted through the user's scope)."""
    return [Counted(view, case_list, case_list.count(params_of(view)))
            for case_list in readable_lists(user) for view in views_of(user, case_list)]
