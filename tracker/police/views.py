"""The police compartment's pages, all under /police/ (one prefix a proxy can fence off).

Every view is declared `hidden`: any role but the liaison officer's gets 404, as if the pages
did not exist.
"""
from __future__ import annotations

from dataclasses import fields

from flask_babel import gettext as _
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker.audit import service as audit
from tracker.auth.permissions import Permission, allow
from tracker.cases.forms import TransitionForm
from tracker.cases import listing, pending, registry
from tracker.cases.list_views import list_context, register_list_actions
from tracker.cases.views import register_case_actions
from tracker.extensions import db
from tracker.forms import add_rule_errors, choose
from tracker.people import services as people
from tracker.people.forms import AddIdentifierForm
from tracker.people.views import (
    register_add_identifier,
    register_correction,
    register_duplicate_queue,
)
from tracker.people.models import Compartment, Person
from tracker.unit_of_work import unit_of_work
from tracker.police import access, services
from tracker.police.categories import Outcome
from tracker.police.forms import (
    BreakGlassForm,
    CaseFilterForm,
    CaseForm,
    ExchangeForm,
    LinkForm,
    NoticeForm,
    PartyForm,
    RestrictionForm,
)
from tracker.cases.links import ConsularLink, record_linked_reads
from tracker.police.models import BreakGlass, CaseParty, LiaisonCase
from tracker.police.workflow import OPEN, POLICE_WORKFLOW
from tracker.vocabulary import choices

bp = Blueprint("police", __name__, url_prefix="/police")
cases_bp = Blueprint("police_cases", __name__, url_prefix="/police/cases")


def load_case(reference: str, for_work: bool = False) -> LiaisonCase:
    """The case, or 404; a restricted case the officer may not open yet asks for a reason."""
    return registry.load(access.CASE_TYPE, reference, for_work)


def outcome_label(value: str | None) -> str:
    """The outcome as the officer chose it ("Child returned under the Hague convention")."""
    try:
        return Outcome(value).label
    except ValueError:
        return (value or "").replace("_", " ").capitalize()


def _case_input(form: CaseForm) -> services.CaseInput:
    """What the officer typed, field by field as CaseInput names them."""
    return services.CaseInput(**{f.name: form[f.name].data
                                 for f in fields(services.CaseInput)})


# --- lists and search -----------------------------------------------------------------------


def _filtered(params) -> Select | None:
    """The list's query for these address parameters (its filters, not its search words), or
    None if they are not valid."""
    form = CaseFilterForm(params)
    if not form.validate():
        return None
    stmt = select(LiaisonCase)
    status = form.status.data or ""  # not in the address at all: the open cases
    if status == "":
        stmt = stmt.where(LiaisonCase.status.in_([s.value for s in OPEN]))
    elif status != "all":
        stmt = stmt.where(LiaisonCase.status == status)
    if form.category.data:
        stmt = stmt.where(LiaisonCase.category == form.category.data)
    if form.country.data:
        stmt = stmt.where(LiaisonCase.country == form.country.data)
    return stmt


CASE_LIST = listing.register(listing.CaseList(
    case_type=access.CASE_TYPE, endpoint="police.cases", filters=("status", "category", "country"),
    sorts=("newest",), query=_filtered, offices_served=lambda user: [user.office]))


def _render_list(status: int = 200, **context):
    """The case list (or the search's hits), with its saved-view form and selection bar."""
    form = CaseFilterForm(request.args)
    context = list_context(CASE_LIST, **context)
    rows: list[LiaisonCase] = []
    hits = {}
    if form.validate():
        if form.q.data:
            results = services.search_results(form.q.data)
            rows = [result.case for result in results]
            hits = {result.case.id: result.hits for result in results}
        else:
            rows = list(db.session.scalars(_filtered(request.args)
                                           .order_by(LiaisonCase.opened_at.desc()).limit(200)
                                           .options(selectinload(LiaisonCase.parties),
                                                    selectinload(LiaisonCase.exchanges),
                                                    selectinload(LiaisonCase.named_officers))))
    persons = people.find_persons(Compartment.POLICE, form.q.data) \
        if form.q.data and not form.errors else []
    return render_template("police/cases.html", form=form, rows=rows, persons=persons, hits=hits,
                           needs_reason=access.needs_reason, **context), \
        status if not form.errors else 400


@bp.route("/")
@allow(Permission.READ_LIAISON_CASES)
def cases():
    return _render_list()


register_list_actions(bp, CASE_LIST, _render_list)


# --- a case ---------------------------------------------------------------------------------


@cases_bp.route("/new", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def new():
    form = CaseForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                case = services.open_case(current_user, _case_input(form))
            if work.done:
                flash(_("Case %(reference)s opened.", reference=case.reference), "success")
                return redirect(url_for("police_cases.detail", reference=case.reference))
    return render_template("police/case_form.html", form=form, case=None), status


def render_detail(case: LiaisonCase):
    """The case page: it reads first; each action opens its own page."""
    glass = db.session.scalars(select(BreakGlass).where(BreakGlass.case_id == case.id)
                               .order_by(BreakGlass.id.desc())).all()
    links = db.session.scalars(select(ConsularLink).where(
        ConsularLink.liaison_case_id == case.id).options(
        selectinload(ConsularLink.consular_request))).all()
    if links:
        with unit_of_work():
            record_linked_reads([link.consular_request.reference for link in links],
                                current_user)
    return registry.render_case_page(access.CASE_TYPE, case, break_glass=glass, links=links,
                                     outcome_label=outcome_label)


def action_page(case: LiaisonCase, title: str, template: str, form, status: int | None = None,
                **context):
    """One action's page: its form alone (GET 200; a refused POST 422 with the errors)."""
    if status is None:
        status = 200 if request.method == "GET" else 422
    return registry.render_action_page(access.CASE_TYPE, case, title, template, status,
                                       form=form, **context)


def _restriction_form(case: LiaisonCase) -> RestrictionForm:
    form = RestrictionForm() if request.method == "POST" else RestrictionForm(
        restricted=case.restricted, officers=[o.id for o in case.named_officers])
    form.officers.choices = [(u.id, u.display_name) for u in access.liaison_officers()]
    return form


@cases_bp.route("/<reference>")
@allow(Permission.READ_LIAISON_CASES)
def detail(reference: str):
    case = load_case(reference)
    with unit_of_work():
        registry.record_read(case, current_user)
    return render_detail(case)


@cases_bp.route("/<reference>/break-glass", methods=["GET", "POST"])
@allow(Permission.READ_LIAISON_CASES)
def break_glass(reference: str):
    reference = registry.clean_reference(reference)
    if db.session.scalar(select(LiaisonCase.id).where(LiaisonCase.reference == reference)):
        return redirect(url_for("police_cases.detail", reference=reference))
    case = access.restricted_by_reference(reference)
    if case is None:
        abort(404)
    form = BreakGlassForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.break_glass(case, current_user, form.reason.data)
            if work.done:
                return redirect(url_for("police_cases.detail", reference=case.reference))
    return render_template("police/break_glass.html", case=case, form=form,
                           hours=access.BREAK_GLASS_HOURS), status


@cases_bp.route("/<reference>/edit", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def edit(reference: str):
    case = load_case(reference, True)
    form = CaseForm(obj=case if request.method == "GET" else None)
    if request.method == "GET":
        form.title.data = case.summary
        for name in ("category", "country", "counterpart", "priority"):
            getattr(form, name).data = getattr(case, name).value
        with unit_of_work():
            registry.record_read(case, current_user)  # the form shows the whole case
    status = 200
    if request.method == "POST":
        status = 422
        valid = form.validate_on_submit()
        if form.version.errors:
            # A version that is not a number names no saved state: as stale as an old one
            # (the hidden field shows no error, and the page would offer the current version).
            valid = False
            form.version.errors = []
            form.form_errors.append(_("This form does not say which version of the case it "
                                      "was opened from. Nothing was saved: open the case "
                                      "again and make your change."))
        if valid:
            with unit_of_work(form) as work:
                services.update_case(case, current_user, _case_input(form), form.version.data)
            if work.done:
                flash(_("Case saved."), "success")
                return redirect(url_for("police_cases.detail", reference=case.reference))
    return render_template("police/case_form.html", form=form, case=case), status


@cases_bp.route("/<reference>/parties", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def add_party(reference: str):
    case = load_case(reference, True)
    form = PartyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work(form) as work:
                chosen_id, confirmed_new = form.duplicate_choice()
                person = people.chosen_or_new_person(
                    Compartment.POLICE, form.person_input(), chosen_id=chosen_id,
                    confirmed_new=confirmed_new, actor=current_user)
                services.add_party(case, current_user, person, form.role.data)
        except people.NeedsChoice as choice:
            form.offer(choice.candidates)
            return action_page(case, _("Add a person"), "police/_party_form.html", form,
                               candidates=choice.candidates)
        if work.done:
            flash(_("Person added to the case."), "success")
            return redirect(url_for("police_cases.detail", reference=case.reference)
                            + "#parties")
    return action_page(case, _("Add a person"), "police/_party_form.html", form)


@cases_bp.route("/<reference>/exchanges", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def add_exchange(reference: str):
    case = load_case(reference, True)
    form = ExchangeForm()
    if request.method == "GET":
        return action_page(case, _("Log an exchange"), "police/_exchange_form.html", form)
    work = None
    data = services.ExchangeInput(
        exchanged_on=form.exchanged_on.data, direction=form.direction.data,
        channel=form.channel.data, counterpart=form.counterpart.data, summary=form.summary.data,
        handling_code=form.handling_code.data, restriction=form.restriction.data,
        source_grade=form.source_grade.data, information_grade=form.information_grade.data)
    with pending.attached(form, "document", current_user) as document:
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                exchange = services.add_exchange(case, current_user, data, document=document)
        else:
            add_rule_errors(form, lambda: services.check_exchange(current_user, data))
    if work is not None and work.done:
        flash(_("Exchange logged under %(code)s.", code=exchange.handling_code.value), "success")
        return redirect(url_for("police_cases.detail", reference=case.reference)
                        + "#exchanges")
    # 507 when the disk is full
    return action_page(case, _("Log an exchange"), "police/_exchange_form.html", form,
                       work.status if work is not None else 422)


@cases_bp.route("/<reference>/notices", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def add_notice(reference: str):
    case = load_case(reference, True)
    form = NoticeForm()
    if request.method == "POST" and form.validate_on_submit():
        with unit_of_work(form) as work:
            services.add_notice(case, current_user, form.colour.data, form.number.data)
        if work.done:
            return redirect(url_for("police_cases.detail", reference=case.reference))
    return action_page(case, _("Add an INTERPOL notice"), "police/_notice_form.html", form)


@cases_bp.route("/<reference>/restriction", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def set_restriction(reference: str):
    case = load_case(reference, True)
    form = _restriction_form(case)
    if request.method == "POST" and form.validate_on_submit():
        with unit_of_work(form):
            services.set_restriction(case, current_user, form.restricted.data,
                                     form.officers.data or [])
        flash(_("Restriction saved.") if form.restricted.data else _("Restriction lifted."),
              "success")
        return redirect(url_for("police_cases.detail", reference=case.reference))
    return action_page(case, _("Restriction"), "police/_restriction_form.html", form)


@cases_bp.route("/<reference>/links", methods=["GET", "POST"])
@allow(Permission.WORK_LIAISON_CASES)
def link_consular(reference: str):
    case = load_case(reference, True)
    form = LinkForm()
    if request.method == "POST" and form.validate_on_submit():
        with unit_of_work(form) as work:
            services.link_consular(case, current_user, form.reference.data)
        if work.done:
            flash(_("Consular request linked. The consular section sees nothing of it unless "
                    "you share it."), "success")
            return redirect(url_for("police_cases.detail", reference=case.reference)
                            + "#links")
    return action_page(case, _("Link a consular request"), "police/_link_form.html", form)


@cases_bp.route("/<reference>/links/<int:link_id>/share", methods=["POST"])
@allow(Permission.WORK_LIAISON_CASES)
def share_link(reference: str, link_id: int):
    case = load_case(reference, True)
    link = db.session.get(ConsularLink, link_id)
    if link is None or link.liaison_case_id != case.id:
        abort(404)
    with unit_of_work():
        services.share_link(link, current_user)
    flash(_("Shared: the consular request now says the police liaison officer is involved, "
            "and nothing more."), "success")
    return redirect(url_for("police_cases.detail", reference=case.reference) + "#links")


@cases_bp.route("/<reference>/export")
@allow(Permission.READ_LIAISON_CASES)
def export(reference: str):
    """A plain-text summary for sharing outside the compartment: no H2 material, ever."""
    case = load_case(reference)
    exchanges, withheld = services.shareable_exchanges(case)
    with unit_of_work():
        registry.record_read(case, current_user, "exported")
    text = render_template("police/export.txt", case=case, exchanges=exchanges,
                           withheld=withheld, flow=POLICE_WORKFLOW,
                           outcome_label=outcome_label)
    return Response(text, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}-for-sharing.txt"'})


@bp.route("/persons/<int:person_id>")
@allow(Permission.READ_LIAISON_CASES)
def person(person_id: int):
    found = _visible_person(person_id)
    with unit_of_work():
        audit.record("police_person.viewed", object_type="police_person", object_id=found.id)
    return _render_person(found)


def _visible_person(person_id: int) -> Person:
    found = db.session.get(Person, person_id)
    if found is None or found.compartment is not Compartment.POLICE:
        abort(404)  # unknown, or known only from restricted cases this officer may not open
    return found


def _render_person(found: Person, identifier_form: AddIdentifierForm | None = None,
                   status: int = 200):
    # Not the anonymised cases: they no longer say who they were about.
    parties = db.session.scalars(select(CaseParty).where(CaseParty.person_id == found.id)
                                 .join(LiaisonCase, LiaisonCase.id == CaseParty.case_id)
                                 .where(LiaisonCase.anonymised_at.is_(None))
                                 .order_by(CaseParty.id)
                                 .options(selectinload(CaseParty.case))).all()
    return render_template("police/person.html", person=found, parties=parties,
                           identifier_form=identifier_form or AddIdentifierForm()), status


register_add_identifier(bp, Permission.WORK_LIAISON_CASES, _visible_person, _render_person,
                        "police.person")
register_correction(bp, Permission.WORK_LIAISON_CASES, _visible_person, "police.person")


def _prepare_step_form(case: LiaisonCase, form: TransitionForm) -> None:
    form.closing_reason.choices = choose(_("Choose the outcome"), choices(Outcome))


register_case_actions(cases_bp, access.CASE_TYPE, _prepare_step_form)

register_duplicate_queue(bp, Compartment.POLICE, Permission.COMPARE_LIAISON_DUPLICATES,
                         "police.person")
