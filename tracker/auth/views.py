"""Signing in and out, the second factor, and a user's own account page."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import services
from tracker.auth.forms import LanguageForm, LoginForm, PasswordChangeForm, SecondFactorForm
from tracker.auth.models import User
from tracker.auth.permissions import Permission, allow, public
from tracker.auth.services import LoginOutcome
from tracker.auth.sessions import open_sessions, start_session
from tracker.extensions import db, limiter
from tracker.unit_of_work import unit_of_work

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "The e-mail address or password is not right."
LOCKED = ("Too many failed sign-in attempts for this account. "
          "Wait a minute, then try again.")
PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300
ENROL_KEY = "enrol_secret"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send someone to another host after signing in."""
    if (target and target.startswith("/") and not target.startswith("//")
            and target.isprintable()):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.home")


def _finish_login(user: User, next_url: str | None):
    with unit_of_work():
        start_session(user)
        services.record_login(user)
    return redirect(_safe_next(next_url))


def _checked_in_unit_of_work(check, *args) -> bool:
    """Run a check that records its outcome, and save what it recorded."""
    with unit_of_work():
        return check(*args)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with unit_of_work():
                result = services.check_credentials(form.email.data, form.password.data)
            if result.outcome is LoginOutcome.OK:
                return _finish_login(result.user, request.args.get("next"))
            if result.outcome is LoginOutcome.NEEDS_SECOND_FACTOR:
                session.clear()
                session[PENDING_KEY] = {"user": result.user.id, "at": int(time.time()),
                                        "next": request.args.get("next")}
                return redirect(url_for("auth.second_factor"))
            if result.outcome is LoginOutcome.LOCKED:
                form.form_errors.append(LOCKED)
                status = 429
            else:
                form.form_errors.append(BAD_CREDENTIALS)
                status = 401
        else:
            status = 400
    return render_template("auth/login.html", form=form), status


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active else None


@bp.route("/login/second-factor", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def second_factor():
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            if services.is_locked(user.email):
                form.form_errors.append(LOCKED)
                status = 429
            elif _checked_in_unit_of_work(services.check_second_factor, user,
                                          form.code.data):
                next_url = session[PENDING_KEY].get("next")
                return _finish_login(user, next_url)
            else:
                form.code.errors.append("This code is not right, or was used already.")
                status = 401
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def logout():
    with unit_of_work():
        services.sign_out(current_user)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@allow(Permission.USE_OWN_ACCOUNT)
def account():
    return _account_page()


def _account_page(**forms):
    forms.setdefault("password_form", PasswordChangeForm())
    forms.setdefault("language_form", LanguageForm(language=current_user.language or ""))
    return render_template("auth/account.html", sessions=open_sessions(current_user), **forms)


@bp.route("/account/language", methods=["POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def choose_language():
    form = LanguageForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.choose_language(current_user, form.language.data or None)
        if work.done:
            flash(_("Your choice of language is saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(language_form=form), 422


@bp.route("/account/password", methods=["POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.change_own_password(current_user, form.current_password.data,
                                         form.new_password.data)
        if work.done:
            flash("Your password is changed. Your other sessions have been ended.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form), 422


@bp.route("/account/second-factor", methods=["GET", "POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def enrol_second_factor():
    if current_user.has_second_factor:
        flash("Your authenticator app is already set up. If you lost it, ask an "
              "administrator to reset it.", "info")
        return redirect(url_for("auth.account"))
    # The secret waits in the signed session cookie until a code proves the app has it.
    secret = session.get(ENROL_KEY)
    if request.method == "GET" or not secret:
        secret = session[ENROL_KEY] = pyotp.random_base32()
    form = SecondFactorForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            if _checked_in_unit_of_work(services.confirm_second_factor, current_user, secret,
                                        form.code.data):
                session.pop(ENROL_KEY, None)
                flash("Your authenticator app is set up. You will be asked for a code "
                      "each time you sign in.", "success")
                return redirect(url_for("auth.account"))
            form.code.errors.append("This code does not match. Check the app and the "
                                    "clock of the phone, then try the newest code.")
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=current_user.email, issuer_name=current_app.config["TOTP_ISSUER"])
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template("auth/enrol.html", form=form, qr=qr,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
                           ), status
