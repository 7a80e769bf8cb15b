"""The administrator's pages: accounts and offices."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from tracker.auth import approvals, services
from tracker.auth.approvals import ProposalRefused
from tracker.auth.forms import DecisionForm, NewUserForm, OfficeForm, UserForm
from tracker.auth.models import AccountChangeKind, AccountChangeProposal, Office, Role, User
from tracker.auth.permissions import Permission, allow
from tracker.auth.services import AccountError
from tracker.auth.sessions import open_sessions
from tracker.errors import render_error
from tracker.forms import CONTROL_CHARACTERS
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _office_choices(include: Office | None = None):
    offices = db.session.scalars(select(Office).order_by(Office.name)).all()
    return [SelectChoice(o.id, o.name) for o in offices if o.active or o == include]


def _get_or_404(model, ident):
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


# --- accounts -------------------------------------------------------------------------------


@bp.route("/users")
@allow(Permission.MANAGE_ACCOUNTS)
def users():
    query = CONTROL_CHARACTERS.sub("", request.args.get("q") or "").strip()[:100]
    stmt = select(User).order_by(User.active.desc(), User.display_name)
    if query:
        stmt = stmt.where(or_(User.email.contains(query.lower(), autoescape=True),
                              func.lower(User.display_name).contains(query.lower(),
                                                                     autoescape=True)))
    return render_template("admin/users.html", users=db.session.scalars(stmt).all(), q=query,
                           pending_count=approvals.count_pending())


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def new_user():
    form = NewUserForm()
    form.office.choices = _office_choices()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            office = db.session.get(Office, form.office.data)
            with unit_of_work(form) as work:
                if approvals.needs_approval(None, form.role.data, form.active.data):
                    proposal = approvals.propose_new_account(
                        email=form.email.data, display_name=form.display_name.data,
                        role=form.role.data, office=office, password=form.password.data,
                        proposer=current_user)
                    user = proposal.target
                else:
                    proposal = None
                    user = services.create_user(
                        email=form.email.data, display_name=form.display_name.data,
                        role=form.role.data, office=office,
                        password=form.password.data or "", active=form.active.data)
            if work.done:
                if proposal is not None:
                    flash(_("Account for %(name)s created, inactive: a second administrator "
                            "must approve it as %(role)s. The approver receives its one-time "
                            "password.", name=user.display_name, role=user.role.label), "info")
                else:
                    flash(_("Account for %(name)s created.", name=user.display_name),
                          "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def edit_user(user_id: int):
    user = _get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.office.data = user.office_id
        form.role.data = user.role.value
    form.office.choices = _office_choices(include=user.office)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            office = db.session.get(Office, form.office.data)
            held = approvals.needs_approval(user, form.role.data, form.active.data)
            with unit_of_work(form) as work:
                if held:
                    approvals.propose_role_grant(
                        user, display_name=form.display_name.data, role=form.role.data,
                        office=office, version=form.version.data, proposer=current_user)
                else:
                    services.update_user(
                        user, display_name=form.display_name.data, role=form.role.data,
                        office=office, active=form.active.data, version=form.version.data)
            if work.done:
                if held:
                    flash(_("%(role)s for %(name)s proposed: nothing changes until a second "
                            "administrator approves it (other changes to the name are saved).",
                            role=Role(form.role.data).label, name=user.display_name), "info")
                else:
                    flash(_("Account saved."), "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user,
                           sessions=open_sessions(user),
                           pending=_pending_for(user)), status


def _pending_for(user: User) -> list[AccountChangeProposal]:
    return [p for p in approvals.pending_proposals() if p.target_id == user.id]


def _propose_reset(user_id: int, kind: AccountChangeKind, what: str):
    user = _get_or_404(User, user_id)
    try:
        with unit_of_work():
            approvals.propose_reset(kind, user, proposer=current_user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(what)s of %(name)s proposed: nothing changes until a second administrator "
                "approves it.", what=what, name=user.display_name), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def set_user_password(user_id: int):
    return _propose_reset(user_id, AccountChangeKind.PASSWORD_RESET, _("A password reset"))


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def end_user_sessions(user_id: int):
    user = _get_or_404(User, user_id)
    with unit_of_work():
        count = services.end_sessions(user)
    flash(ngettext("%(num)d session(s) of %(name)s ended.",
                   "%(num)d session(s) of %(name)s ended.", count, name=user.display_name),
          "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def reset_second_factor(user_id: int):
    return _propose_reset(user_id, AccountChangeKind.SECOND_FACTOR_RESET,
                          _("An authenticator reset"))


# --- approvals: the second administrator ----------------------------------------------------


def _approvals_page(status: int = 200, form: DecisionForm | None = None):
    return render_template("admin/approvals.html", proposals=approvals.pending_proposals(),
                           form=form or DecisionForm(), Kind=AccountChangeKind), status


@bp.route("/approvals")
@allow(Permission.APPROVE_ACCOUNT_CHANGES)
def approvals_list():
    return _approvals_page()


def _decision(proposal_id: int, decide):
    """Run one decision: (proposal, result, None), or (proposal, None, the error answer)."""
    proposal = _get_or_404(AccountChangeProposal, proposal_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return proposal, None, _approvals_page(422, form)
    try:
        with unit_of_work(back=url_for("admin.approvals_list")):
            return proposal, decide(proposal, current_user, form.version.data), None
    except ProposalRefused as exc:
        return proposal, None, render_error(403, str(exc))


@bp.route("/approvals/<int:proposal_id>/approve", methods=["POST"])
@allow(Permission.APPROVE_ACCOUNT_CHANGES)
def approve_change(proposal_id: int):
    proposal, approval, error = _decision(proposal_id, approvals.approve)
    if error:
        return error
    if approval.one_time_password is None:
        flash(_("Approved: %(change)s for %(name)s.", change=proposal.kind.label.lower(),
                name=proposal.target.display_name), "success")
        return redirect(url_for("admin.approvals_list"))
    # Shown once, in this answer only: never flashed (the session cookie is not secret).
    response = make_response(render_template("admin/approved.html", proposal=proposal,
                                             one_time_password=approval.one_time_password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/approvals/<int:proposal_id>/refuse", methods=["POST"])
@allow(Permission.APPROVE_ACCOUNT_CHANGES)
def refuse_change(proposal_id: int):
    proposal, _decided, error = _decision(proposal_id, approvals.refuse)
    if error:
        return error
    flash(_("Refused: %(change)s for %(name)s. Nothing was changed.",
            change=proposal.kind.label.lower(), name=proposal.target.display_name), "success")
    return redirect(url_for("admin.approvals_list"))


@bp.route("/approvals/<int:proposal_id>/withdraw", methods=["POST"])
@allow(Permission.MANAGE_ACCOUNTS)
def withdraw_change(proposal_id: int):
    proposal, _decided, error = _decision(proposal_id, approvals.withdraw)
    if error:
        return error
    flash(_("Withdrawn: %(change)s for %(name)s.", change=proposal.kind.label.lower(),
            name=proposal.target.display_name), "success")
    return redirect(url_for("admin.approvals_list"))


# --- offices --------------------------------------------------------------------------------


@bp.route("/offices")
@allow(Permission.MANAGE_OFFICES)
def offices():
    rows = db.session.scalars(select(Office).order_by(Office.active.desc(), Office.name)).all()
    return render_template("admin/offices.html", offices=rows)


@bp.route("/offices/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_OFFICES)
def new_office():
    form = OfficeForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.create_office(code=form.code.data, name=form.name.data,
                                       kind=form.kind.data, time_zone=form.time_zone.data,
                                       address=form.address.data)
            if work.done:
                flash(_("Office created."), "success")
                return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=None), status


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@allow(Permission.MANAGE_OFFICES)
def edit_office(office_id: int):
    office = _get_or_404(Office, office_id)
    form = OfficeForm(obj=office if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = office.kind.value
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.update_office(office, code=form.code.data, name=form.name.data,
                                       kind=form.kind.data, time_zone=form.time_zone.data,
                                       active=form.active.data, version=form.version.data,
                                       address=form.address.data)
            if work.done:
                flash(_("Office saved."), "success")
                return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=office), status
