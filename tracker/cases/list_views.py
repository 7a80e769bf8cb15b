"""The pages every case list shares: saved views and the selection's bulk actions.

A compartment calls `register_list_actions` with its registered `CaseList` and a function that
draws its list page again (`render_list(status, **context)`, reading the filters from the
address). The forms post to addresses that carry the list's own filters, so a refused action
shows the same list again with the message beside the selection, and a done one returns to it.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import User
from tracker.auth.permissions import allow, can
from tracker.cases import bulk, saved_views
from tracker.cases.forms import (
    BulkPriorityForm,
    BulkReassignForm,
    DeleteViewForm,
    RenameViewForm,
    SaveViewForm,
    ShareViewForm,
)
from tracker.cases.listing import CaseList
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

RenderList = Callable[..., object]
# The selection bar's fields are named bulk-...: the filter form on the same page has its own
# "priority" field.
BULK = "bulk"


def list_args(case_list: CaseList, page: bool = True) -> dict[str, str]:
    """The list's own parameters in the address (filters, sort and, if `page`, which page):
    what its forms post to and return to. Nothing else is echoed (search words stay out)."""
    kept = {*case_list.filters, "sort", *(("after",) if page else ())}
    return {key: value for key, value in request.args.items() if key in kept}


def list_context(case_list: CaseList, **given) -> dict:
    """What a list page needs for its saved-view form and its selection bar."""
    context = {
        "case_list": case_list,
        "ep": _blueprint_name(case_list),
        "save_form": SaveViewForm(formdata=None),
        "priority_form": BulkPriorityForm(formdata=None, prefix=BULK)
        if case_list.workable_by(current_user) else None,
        "reassign_form": None,
        "selected": set(),
        # A row the reader may read but not change (another office's) offers no checkbox.
        "may_change": lambda case: case_list.case_type.may_work(current_user, case),
        "select_all": request.args.get("select") == "all",
        "args": list_args(case_list, page=False),  # for the next page's link
        "here": list_args(case_list),  # the forms post to addresses carrying these
    }
    if case_list.reassign is not None and can(_endpoint(case_list, "bulk_reassign")):
        context["reassign_form"] = _reassign_form(case_list, formdata=None)
    context.update(given)
    return context


# The blueprint each list's pages are on, by case kind (set by register_list_actions).
_REGISTERED: dict = {}


def _blueprint_name(case_list: CaseList) -> str:
    return _REGISTERED[case_list.kind]


def _endpoint(case_list: CaseList, name: str) -> str:
    return f"{_blueprint_name(case_list)}.{name}"


def _reassign_form(case_list: CaseList, **kwargs) -> BulkReassignForm:
    form = BulkReassignForm(prefix=BULK, **kwargs)
    form.assigned_to.choices = [SelectChoice(0, _("Choose the officer"))] + [
        SelectChoice(u.id, f"{u.display_name} ({u.office.code})")
        for u in case_list.reassignable(current_user)]
    return form


def register_list_actions(bp: Blueprint, case_list: CaseList, render_list: RenderList) -> None:
    """Add the saved-view pages and the bulk actions to the blueprint of the list's
    compartment, behind its permissions (read: views; work: bulk; `reassign`: reassigning)."""
    _REGISTERED[case_list.kind] = bp.name
    case_type = case_list.case_type

    def list_url() -> str:
        return url_for(case_list.endpoint, **list_args(case_list))

    def back_to_list():
        return redirect(list_url())

    def ticked() -> set[int]:
        return bulk.ticked_ids(request.form.getlist("selected"))

    @bp.route("/views", methods=["GET"], endpoint="saved_views")
    @allow(case_type.read)
    def saved_views_page():
        return _views_page(case_list)

    @bp.route("/views", methods=["POST"], endpoint="save_view")
    @allow(case_type.read)
    def save_view():
        form = SaveViewForm()
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                view = saved_views.save_view(current_user, case_list, form.name.data,
                                             request.args)
            if work.done:
                flash(_("View %(name)s saved: it is on your home page.", name=view.name),
                      "success")
                return back_to_list()
        return render_list(422, save_form=form)

    @bp.route("/views/<int:view_id>", endpoint="open_view")
    @allow(case_type.read)
    def open_view(view_id: int):
        view = saved_views.find_view(current_user, case_list, view_id)
        if view is None:
            abort(404)
        return redirect(url_for(case_list.endpoint, **saved_views.params_of(view)))

    def own_view(view_id: int):
        view = saved_views.find_view(current_user, case_list, view_id)
        if view is None or view.owner_id != current_user.id:
            abort(404)  # someone else's: not even whether it exists
        return view

    @bp.route("/views/<int:view_id>/rename", methods=["POST"], endpoint="rename_view")
    @allow(case_type.read)
    def rename_view(view_id: int):
        view = own_view(view_id)
        form = RenameViewForm(prefix=f"v{view.id}")
        if form.validate_on_submit():
            with unit_of_work(form, back=url_for(f"{bp.name}.saved_views")) as work:
                saved_views.rename_view(view, current_user, form.name.data,
                                        version=form.version.data)
            if work.done:
                flash(_("View renamed."), "success")
                return redirect(url_for(f"{bp.name}.saved_views"))
        return _views_page(case_list, 422, forms={view.id: {"rename": form}})

    @bp.route("/views/<int:view_id>/share", methods=["POST"], endpoint="share_view")
    @allow(case_type.read)
    def share_view(view_id: int):
        view = own_view(view_id)
        form = _share_form(case_list, view)
        if form.validate_on_submit():
            office = next((o for o in case_list.offices_served(current_user)
                           if o.id == form.office.data), None)
            with unit_of_work(form, back=url_for(f"{bp.name}.saved_views")) as work:
                if form.office.data and office is None:
                    raise saved_views.ViewError(_("Share it with an office you serve."),
                                                "office")
                saved_views.share_view(view, current_user, office, version=form.version.data)
            if work.done:
                flash(_("Shared with %(office)s.", office=office.name) if office
                      else _("The view is yours alone again."), "success")
                return redirect(url_for(f"{bp.name}.saved_views"))
        return _views_page(case_list, 422, forms={view.id: {"share": form}})

    @bp.route("/views/<int:view_id>/delete", methods=["POST"], endpoint="delete_view")
    @allow(case_type.read)
    def delete_view(view_id: int):
        view = own_view(view_id)
        form = DeleteViewForm(prefix=f"v{view.id}")
        if form.validate_on_submit():
            name = view.name
            with unit_of_work(form, back=url_for(f"{bp.name}.saved_views")) as work:
                saved_views.delete_view(view, current_user, version=form.version.data)
            if work.done:
                flash(_("View %(name)s deleted.", name=name), "success")
                return redirect(url_for(f"{bp.name}.saved_views"))
        return _views_page(case_list, 422, forms={view.id: {"delete": form}})

    @bp.route("/bulk/priority", methods=["POST"], endpoint="bulk_priority")
    @allow(case_type.work)
    def bulk_priority():
        form = BulkPriorityForm(prefix=BULK)
        if form.validate_on_submit():
            with unit_of_work(form, back=list_url()) as work:
                cases = bulk.load_selection(case_type, current_user,
                                            bulk.parse_selection(request.form.getlist("selected")))
                changed = bulk.set_priority(case_type, cases, current_user, form.priority.data)
            if work.done:
                flash(ngettext("Priority set on %(num)d case.", "Priority set on %(num)d cases.",
                               changed), "success")
                return back_to_list()
        return render_list(422, priority_form=form, selected=ticked())

    if case_list.reassign is None:
        return

    @bp.route("/bulk/reassign", methods=["POST"], endpoint="bulk_reassign")
    @allow(case_list.reassign)
    def bulk_reassign():
        form = _reassign_form(case_list)
        if form.validate_on_submit():
            with unit_of_work(form, back=list_url()) as work:
                cases = bulk.load_selection(case_type, current_user,
                                            bulk.parse_selection(request.form.getlist("selected")))
                assignee = (db.session.get(User, form.assigned_to.data)
                            if 0 < (form.assigned_to.data or 0) < 2**31 else None)
                changed = bulk.reassign(case_type, cases, current_user, assignee,
                                        form.reason.data)
            if work.done:
                flash(ngettext("%(num)d case reassigned.", "%(num)d cases reassigned.",
                               changed), "success")
                return back_to_list()
        return render_list(422, reassign_form=form, selected=ticked())


def _share_form(case_list: CaseList, view, **kwargs) -> ShareViewForm:
    form = ShareViewForm(prefix=f"v{view.id}", **kwargs)
    form.office.choices = [SelectChoice(0, _("Nobody: only me"))] + [
        SelectChoice(o.id, o.name) for o in case_list.offices_served(current_user)]
    return form


def _views_page(case_list: CaseList, status: int = 200, forms: dict | None = None):
    """The user's views of this list (rename, share, delete) and those shared with them."""
    forms = forms or {}
    views = saved_views.views_of(current_user, case_list)
    own = []
    for view in (v for v in views if v.owner_id == current_user.id):
        given = forms.get(view.id, {})
        own.append((view, {
            "rename": given.get("rename") or RenameViewForm(
                formdata=None, prefix=f"v{view.id}", name=view.name, version=view.version),
            "share": given.get("share") or _share_form(
                case_list, view, formdata=None, office=view.shared_office_id or 0,
                version=view.version),
            "delete": given.get("delete") or DeleteViewForm(formdata=None, prefix=f"v{view.id}",
                                                            version=view.version),
        }))
    shared = [v for v in views if v.owner_id != current_user.id]
    return render_template("cases/views.html", case_list=case_list, own=own, shared=shared,
                           ep=_blueprint_name(case_list)), status
