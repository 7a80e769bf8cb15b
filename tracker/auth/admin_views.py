"""The administrator's pages: accounts and offices."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from tracker.auth import services
from tracker.auth.forms import NewUserForm, OfficeForm, SetPasswordForm, UserForm
from tracker.auth.models import Office, Role, User
from tracker.auth.permissions import allow
from tracker.auth.services import AccountError, StaleEdit
from tracker.auth.sessions import open_sessions
from tracker.errors import render_error
from tracker.forms import CONTROL_CHARACTERS, put_error
from tracker.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = allow(Role.ADMINISTRATOR)


def _office_choices(include: Office | None = None):
    offices = db.session.scalars(select(Office).order_by(Office.name)).all()
    return [SelectChoice(o.id, o.name) for o in offices if o.active or o == include]


def _get_or_404(model, ident):
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


def _conflict(what: str):
    db.session.rollback()
    return render_error(409, f"This {what} was changed by someone else after you opened it. "
                             "Reload the page to see the current version, then make your "
                             "change again.")


# --- accounts -------------------------------------------------------------------------------


@bp.route("/users")
@admin_only
def users():
    query = CONTROL_CHARACTERS.sub("", request.args.get("q") or "").strip()[:100]
    stmt = select(User).order_by(User.active.desc(), User.display_name)
    if query:
        stmt = stmt.where(or_(User.email.contains(query.lower(), autoescape=True),
                              func.lower(User.display_name).contains(query.lower(),
                                                                     autoescape=True)))
    return render_template("admin/users.html", users=db.session.scalars(stmt).all(), q=query)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = NewUserForm()
    form.office.choices = _office_choices()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = services.create_user(
                    email=form.email.data, display_name=form.display_name.data,
                    role=form.role.data, office=db.session.get(Office, form.office.data),
                    password=form.password.data, active=form.active.data)
            except AccountError as exc:
                put_error(form, exc.field, str(exc))
            else:
                flash(f"Account for {user.display_name} created.", "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
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
            try:
                services.update_user(
                    user, display_name=form.display_name.data, role=form.role.data,
                    office=db.session.get(Office, form.office.data), active=form.active.data,
                    version=form.version.data)
            except (StaleEdit, StaleDataError):
                return _conflict("account")
            except AccountError as exc:
                db.session.rollback()
                put_error(form, exc.field, str(exc))
            else:
                flash("Account saved.", "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user,
                           sessions=open_sessions(user), password_form=SetPasswordForm(),
                           ), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_only
def set_user_password(user_id: int):
    user = _get_or_404(User, user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.new_password.data)
        except AccountError as exc:
            put_error(form, exc.field, str(exc))
        else:
            flash("Password set. The account's sessions have been ended.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    edit_form = UserForm(obj=user)
    edit_form.office.choices = _office_choices(include=user.office)
    edit_form.office.data, edit_form.role.data = user.office_id, user.role.value
    return render_template("admin/user_form.html", form=edit_form, user=user,
                           sessions=open_sessions(user), password_form=form), 422


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@admin_only
def end_user_sessions(user_id: int):
    user = _get_or_404(User, user_id)
    count = services.end_sessions(user)
    flash(f"{count} session(s) of {user.display_name} ended.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["POST"])
@admin_only
def reset_second_factor(user_id: int):
    user = _get_or_404(User, user_id)
    services.reset_second_factor(user)
    flash(f"The authenticator of {user.display_name} is removed; they set up a new one "
          "at their next sign-in.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# --- offices --------------------------------------------------------------------------------


@bp.route("/offices")
@admin_only
def offices():
    rows = db.session.scalars(select(Office).order_by(Office.active.desc(), Office.name)).all()
    return render_template("admin/offices.html", offices=rows)


@bp.route("/offices/new", methods=["GET", "POST"])
@admin_only
def new_office():
    form = OfficeForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.create_office(code=form.code.data, name=form.name.data,
                                       kind=form.kind.data, time_zone=form.time_zone.data)
            except AccountError as exc:
                db.session.rollback()
                put_error(form, exc.field, str(exc))
            else:
                flash("Office created.", "success")
                return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=None), status


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@admin_only
def edit_office(office_id: int):
    office = _get_or_404(Office, office_id)
    form = OfficeForm(obj=office if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = office.kind.value
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.update_office(office, code=form.code.data, name=form.name.data,
                                       kind=form.kind.data, time_zone=form.time_zone.data,
                                       active=form.active.data, version=form.version.data)
            except (StaleEdit, StaleDataError):
                return _conflict("office")
            except AccountError as exc:
                db.session.rollback()
                put_error(form, exc.field, str(exc))
            else:
                flash("Office saved.", "success")
                return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=office), status
