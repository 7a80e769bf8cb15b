"""The consular section's pages, under /consular/."""
from __future__ import annotations

from datetime import datetime, timezone

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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import Select, select
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Office, Role, User
from tracker.auth.permissions import Permission, allow
from tracker.cases.forms import TransitionForm
from tracker.cases.references import parse_reference
from tracker.cases import links, listing, registry
from tracker.cases.list_views import list_context, register_list_actions
from tracker.cases.views import register_case_actions
from tracker.consular import access, places, services
from tracker.consular import subject_access
from tracker.consular.categories import CancelReason, Category, WaitingOn
from tracker.consular.forms import (
    RelationForm,
    EditRequestForm,
    EnquiryForm,
    NewRequestForm,
    RequestFilterForm,
    ServiceTargetForm,
    SubjectAccessDecisionForm,
    SubjectAccessForm,
)
from tracker.consular.models import (
    ConsularRequest,
    Enquiry,
    ServiceTarget,
    SubjectAccessRequest,
)
from tracker.consular.workflow import Status
from tracker.audit import service as audit
from tracker.db import utcnow
from tracker.extensions import db
from tracker.forms import CONTROL_CHARACTERS, choose
from tracker.people import services as people
from tracker.people.forms import AddIdentifierForm
from tracker.people.views import (
    register_add_identifier,
    register_correction,
    register_duplicate_queue,
)
from tracker.people.models import Compartment, Person, PersonRelation
from tracker.unit_of_work import unit_of_work
from tracker.vocabulary import choices

bp = Blueprint("consular", __name__, url_prefix="/consular")
requests_bp = Blueprint("consular_requests", __name__, url_prefix="/consular/requests")

QUEUE_SIZE = 25
MAX_ID = 2**31 - 1  # the largest row id; a bigger number in a URL or form names nothing


def load_request(reference: str, for_work: bool = False) -> ConsularRequest:
    """The request if the user may see it (and work it); 404 otherwise, never 403."""
    return registry.load(access.CASE_TYPE, reference, for_work)


# --- queues, list and search ----------------------------------------------------------------


@bp.route("/")
@allow(Permission.READ_CONSULAR_REQUESTS)
def queues():
    now = utcnow()

    def queue(flt, sort="due"):
        return db.session.scalars(services.request_list(current_user, flt, sort=sort,
                                                        page_size=QUEUE_SIZE)).all()

    mine = queue(services.RequestFilter(open_only=True, assigned_to_id=current_user.id))
    unassigned = queue(services.RequestFilter(open_only=True, unassigned=True,
                                              office_id=current_user.office_id))
    overdue = queue(services.RequestFilter(overdue=True))
    approvals = []
    if current_user.role is Role.MANAGER:
        approvals = queue(services.RequestFilter(status=Status.PENDING_APPROVAL))
    return render_template("consular/queues.html", mine=mine, unassigned=unassigned,
                           overdue=overdue, approvals=approvals, now=now,
                           queue_size=QUEUE_SIZE)


def _filter_form() -> RequestFilterForm:
    form = RequestFilterForm(request.args)
    offices = db.session.scalars(select(Office).order_by(Office.name)).all()
    form.office.choices = [SelectChoice("", "Any")] + [SelectChoice(o.id, o.name)
                                                       for o in offices]
    officers_ = db.session.scalars(select(User).where(User.role == Role.CONSULAR_OFFICER)
                                   .order_by(User.display_name)).all()
    form.officer.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(u.id, f"{u.display_name} ({u.office.code})") for u in officers_]
    return form


def _request_filter(form: RequestFilterForm) -> services.RequestFilter:
    return services.RequestFilter(
        status=form.status.data or None, category=form.category.data or None,
        office_id=form.office.data, priority=form.priority.data or None,
        assigned_to_id=form.officer.data, overdue=form.overdue.data,
        opened_from=form.opened_from.data, opened_to=form.opened_to.data)


def _sort(form: RequestFilterForm) -> str:
    return form.sort.data if form.sort.data in services.SORTS else "newest"


def _filtered(params) -> Select | None:
    """The list's query for these address parameters, or None if they are not valid."""
    form = RequestFilterForm(params)
    if not form.validate():
        return None
    return services.filtered_requests(current_user, _request_filter(form))


def _reassignable(user: User) -> list[User]:
    """Every active consular officer of an office the manager serves."""
    return sorted({u.id: u for office in access.offices_served(user)
                   for u in access.assignable_officers(office.id)}.values(),
                  key=lambda u: u.display_name)


REQUEST_LIST = listing.register(listing.CaseList(
    case_type=access.CASE_TYPE, endpoint="consular_requests.request_list",
    filters=("status", "category", "office", "priority", "officer", "overdue", "opened_from",
             "opened_to"),
    sorts=("newest", "oldest", "due"), query=_filtered, offices_served=access.offices_served,
    reassign=Permission.REASSIGN_CONSULAR_REQUESTS, reassignable=_reassignable))


def _render_list(status: int = 200, **context):
    """The request list for the filters in the address, with its saved-view form and
    selection bar (`context` overrides them after a refused action)."""
    form = _filter_form()
    context = list_context(REQUEST_LIST, **context)
    if not form.validate():
        return render_template("consular/list.html", form=form, rows=[], next_after=None,
                               **context), 400
    sort = _sort(form)
    after = _cursor(request.args.get("after"), sort)
    rows = db.session.scalars(services.request_list(current_user, _request_filter(form),
                                                    sort=sort, after=after)).all()
    more = len(rows) > 50
    rows = rows[:50]
    next_after = _encode_cursor(rows[-1], sort) if more else None
    return render_template("consular/list.html", form=form, rows=rows, next_after=next_after,
                           **context), status


@requests_bp.route("/")
@allow(Permission.READ_CONSULAR_REQUESTS)
def request_list():
    return _render_list()


register_list_actions(requests_bp, REQUEST_LIST, _render_list)


def _encode_cursor(row: ConsularRequest, sort: str) -> str:
    key = row.due_at if sort == "due" else row.opened_at
    return f"{key.timestamp():.6f}_{row.id}"


def _cursor(raw: str | None, sort: str):
    """The last row's sort key from the URL; a broken one starts from the top."""
    try:
        stamp, row_id = (raw or "").split("_")
        key = (datetime.fromtimestamp(float(stamp), tz=timezone.utc), int(row_id))
    except (ValueError, OverflowError, OSError):
        return None
    if not 0 < key[1] <= MAX_ID:
        return None  # the database could not even compare it (SQLite: not an INTEGER)
    return key


@bp.route("/search")
@allow(Permission.READ_CONSULAR_REQUESTS)
def search():
    # Control characters cannot be typed and PostgreSQL refuses NUL in text: drop them.
    query = CONTROL_CHARACTERS.sub("", request.args.get("q") or "").strip()[:200]
    results = services.search_results(query) if query else []
    rows = [result.case for result in results]
    if len(rows) == 1 and rows[0].reference == (parse_reference(query) or query.upper()):
        return redirect(url_for("consular_requests.detail", reference=rows[0].reference))
    # Only persons the officer may see: a person of another office's requests stays hidden,
    # as their page does.
    persons = people.find_persons(Compartment.CONSULAR, query) if query else []
    return render_template("consular/search.html", q=query, rows=rows, persons=persons,
                           hits={result.case.id: result.hits for result in results})


# --- a request ------------------------------------------------------------------------------


def _prepare_new_form(form: NewRequestForm) -> list[Office]:
    """Fill the choices; the offices the officer serves, their own first."""
    served = access.offices_served(current_user)
    form.office.choices = [SelectChoice(o.id, o.name) for o in served]
    officers = {u.id: u for office in served for u in access.assignable_officers(office.id)}
    several = len(served) > 1
    form.assigned_to.choices = [SelectChoice(0, _("Nobody yet"))] + [
        SelectChoice(u.id, f"{u.display_name} ({u.office.code})" if several else u.display_name)
        for u in sorted(officers.values(), key=lambda u: u.display_name)]
    if request.method == "GET":
        form.office.data = current_user.office_id
        if current_user.role is Role.CONSULAR_OFFICER:
            form.assigned_to.data = current_user.id  # whoever logs it at 2 a.m. usually works it
    return served


@requests_bp.route("/new", methods=["GET", "POST"])
@allow(Permission.WORK_CONSULAR_REQUESTS)
def new():
    form = NewRequestForm()
    served = _prepare_new_form(form)
    known: Person | None = None
    person_id = request.values.get("person", type=int) or form.person_id.data
    if person_id:
        if not 0 < person_id <= MAX_ID:
            abort(404)
        known = db.session.get(Person, person_id)
        if known is None or known.compartment is not Compartment.CONSULAR:
            abort(404)
        form.person_id.data = known.id
    enquiry = _enquiry_to_follow(form)
    candidates: list[Person] = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work(form) as work:
                chosen_id, confirmed_new = form.duplicate_choice()
                subject = known or people.chosen_or_new_person(
                    Compartment.CONSULAR, form.person_input(), chosen_id=chosen_id,
                    confirmed_new=confirmed_new, actor=current_user)
                created = _create(form, subject, enquiry)
        except people.NeedsChoice as choice:
            candidates = choice.candidates
        else:
            if work.done:
                flash(_("Request %(reference)s logged.", reference=created.reference), "success")
                return redirect(url_for("consular_requests.detail",
                                        reference=created.reference))
    status = 200 if request.method == "GET" else 422
    if candidates:
        form.offer(candidates)
    return render_template("consular/new.html", form=form, known=known,
                           candidates=candidates, enquiry=enquiry,
                           districts=places.suggestions(served)), status


def _enquiry_to_follow(form: NewRequestForm) -> Enquiry | None:
    """An enquiry the request grows out of (?enquiry=ID from the enquiries page), or None."""
    enquiry_id = request.values.get("enquiry", type=int) or form.enquiry_id.data
    if not enquiry_id:
        return None
    enquiry = db.session.get(Enquiry, enquiry_id) if 0 < enquiry_id <= MAX_ID else None
    if enquiry is None:
        abort(404)
    try:
        services.check_enquiry_to_follow(current_user, enquiry)
    except services.RequestError as exc:
        flash(str(exc), "error")
        abort(redirect(url_for("consular.enquiries")))
    form.enquiry_id.data = enquiry.id
    if request.method == "GET":
        info = enquiry.topic.info
        form.kind.data = f"{enquiry.topic.value}:{next(iter(info.subcategories))}"
        form.channel.data = enquiry.channel.value
    return enquiry


def _create(form: NewRequestForm, subject: Person, enquiry: Enquiry | None = None
            ) -> ConsularRequest:
    category, _sep, subcategory = (form.kind.data or "").partition(":")
    requester = None
    if (form.requester_name.data or "").strip():
        requester = people.create_person(
            Compartment.CONSULAR, people.PersonInput(full_name=form.requester_name.data,
                                                     phone=form.requester_phone.data),
            current_user)
    data = services.RequestInput(
        category=category, subcategory=subcategory, priority=form.priority.data,
        channel=form.channel.data, summary=form.summary.data,
        description=form.description.data or "", assigned_to_id=form.assigned_to.data or None,
        requester_relationship=form.requester_relationship.data,
        place_of_event=form.place_of_event.data)
    office = db.session.get(Office, form.office.data) if form.office.data else current_user.office
    if office is None:
        raise services.RequestError(_("Choose an office you serve."), "office")
    return services.create_request(current_user, office, data, [subject], requester,
                                   enquiry=enquiry)


def render_detail(case: ConsularRequest):
    """The request page: it reads first; each action opens its own page."""
    return registry.render_case_page(access.CASE_TYPE, case,
                                     police_involved=links.police_involved(case.id))


@requests_bp.route("/<reference>")
@allow(Permission.READ_CONSULAR_REQUESTS)
def detail(reference: str):
    case = load_request(reference)
    with unit_of_work():
        registry.record_read(case, current_user)
    return render_detail(case)


@requests_bp.route("/<reference>/edit", methods=["GET", "POST"])
@allow(Permission.WORK_CONSULAR_REQUESTS)
def edit(reference: str):
    case = load_request(reference, for_work=True)
    form = EditRequestForm(obj=case if request.method == "GET" else None)
    form.subcategory.choices = list(case.category.info.subcategories.items())
    if request.method == "GET":
        form.priority.data = case.priority.value
        with unit_of_work():
            registry.record_read(case, current_user)  # the form shows the summary and details
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.update_request(case, current_user, version=form.version.data,
                                        priority=form.priority.data,
                                        summary=form.summary.data,
                                        description=form.description.data or "",
                                        subcategory=form.subcategory.data,
                                        place_of_event=form.place_of_event.data)
            if work.done:
                flash(_("Request saved."), "success")
                return redirect(url_for("consular_requests.detail", reference=case.reference))
    return render_template("consular/edit.html", case=case, form=form,
                           districts=places.suggestions(access.offices_served(current_user))
                           ), status


def _prepare_step_form(case: ConsularRequest, form: TransitionForm) -> None:
    form.waiting_on.choices = choose(_("Choose who it waits on"), choices(WaitingOn))
    form.closing_reason.choices = choose(_("Choose the outcome"), [
        SelectChoice(k, v) for k, v in case.category.info.closing_reasons.items()])
    form.cancel_reason.choices = choose(_("Choose why"), choices(CancelReason))


register_case_actions(requests_bp, access.CASE_TYPE, _prepare_step_form)


# --- persons --------------------------------------------------------------------------------


@bp.route("/persons/<int:person_id>")
@allow(Permission.READ_CONSULAR_REQUESTS)
def person(person_id: int):
    found = _visible_person(person_id)
    about, reported = _requests_of(found)
    with unit_of_work():
        audit.record("consular_person.viewed", object_type="consular_person",
                     object_id=found.id)
    return _render_person(found, about, reported, RelationForm())


def _visible_person(person_id: int) -> Person:
    found = db.session.get(Person, person_id)
    if found is None or found.compartment is not Compartment.CONSULAR:
        abort(404)  # unknown, or a person of another office's requests only
    return found


def _requests_of(found: Person) -> tuple[list, list]:
    return subject_access.requests_of(found)


def _relatives(found: Person, about: list, reported: list) -> list[Person]:
    """Whom a relation can be recorded with: the others named on the same requests."""
    others = {}
    for request_ in [*about, *reported]:
        for other in [*request_.subjects, *([request_.requester] if request_.requester else [])]:
            if other.id != found.id:
                others[other.id] = other
    return sorted(others.values(), key=lambda p: p.full_name)


def _render_person(found: Person, about, reported, form: RelationForm, status: int = 200,
                   identifier_form: AddIdentifierForm | None = None):
    form.related.choices = [SelectChoice(p.id, p.full_name)
                            for p in _relatives(found, about, reported)]
    incoming = db.session.scalars(select(PersonRelation).where(
        PersonRelation.related_id == found.id)).all()
    return render_template("consular/person.html", person=found, about=about,
                           reported=reported, relation_form=form, incoming=incoming,
                           exports=subject_access.of_person(found),
                           identifier_form=identifier_form or AddIdentifierForm()), status


def _render_person_again(found: Person, **kwargs):
    about, reported = _requests_of(found)
    return _render_person(found, about, reported, RelationForm(formdata=None), **kwargs)


register_add_identifier(bp, Permission.WORK_CONSULAR_REQUESTS, _visible_person,
                        _render_person_again, "consular.person")
register_correction(bp, Permission.WORK_CONSULAR_REQUESTS, _visible_person, "consular.person")


@bp.route("/persons/<int:person_id>/relations", methods=["POST"])
@allow(Permission.WORK_CONSULAR_REQUESTS)
def add_relation(person_id: int):
    """Record that this person is the parent, child, spouse or next of kin of another."""
    found = _visible_person(person_id)
    about, reported = _requests_of(found)
    form = RelationForm()
    form.related.choices = [SelectChoice(p.id, p.full_name)
                            for p in _relatives(found, about, reported)]
    if form.validate_on_submit():
        related = next((p for p in _relatives(found, about, reported)
                        if p.id == form.related.data), None)
        with unit_of_work(form) as work:
            if related is None:
                raise people.PersonError(_("Choose one of the persons listed."), "related")
            people.relate(found, related, form.kind.data, actor=current_user)
        if work.done:
            flash(_("Relation recorded."), "success")
            return redirect(url_for("consular.person", person_id=found.id))
    return _render_person(found, about, reported, form, 422)


# --- subject access ------------------------------------------------------------------------


@bp.route("/persons/<int:person_id>/subject-access", methods=["GET", "POST"])
@allow(Permission.WORK_CONSULAR_REQUESTS)
def ask_subject_access(person_id: int):
    """Prepare a subject-access export of a person the officer sees (404 otherwise)."""
    found = _visible_person(person_id)
    form = SubjectAccessForm()
    if not form.is_submitted():
        with unit_of_work():
            audit.record("consular_person.viewed", object_type="consular_person",
                         object_id=found.id, details={"through": "subject access"})
        found = _visible_person(person_id)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            subject_access.ask(found, form.reason.data, current_user)
        if work.done:
            flash(_("Asked: a manager approves the export before it can be downloaded."),
                  "success")
            return redirect(url_for("consular.person", person_id=found.id) + "#exports")
    return render_template("consular/subject_access_ask.html", person=found, form=form,
                           exports=subject_access.of_person(found)
                           ), 422 if form.is_submitted() else 200


def _export(export_id: int) -> SubjectAccessRequest:
    """The export if its person is one the user sees (the scope); 404 otherwise."""
    found = db.session.get(SubjectAccessRequest, export_id) if export_id <= MAX_ID else None
    if found is None:
        abort(404)
    _visible_person(found.person_id)
    return found


@bp.route("/subject-access")
@allow(Permission.DECIDE_SUBJECT_ACCESS)
def subject_access_requests():
    """The exports waiting for a manager's decision, of persons the manager sees."""
    return _decisions_page()


def _decision_form(export_id: int, **kwargs) -> SubjectAccessDecisionForm:
    """One form per export on the page (its own prefix: its own field ids)."""
    return SubjectAccessDecisionForm(prefix=f"export-{export_id}", **kwargs)


def _decisions_page(sent: SubjectAccessDecisionForm | None = None, sent_for: int | None = None,
                    status: int = 200):
    waiting = subject_access.pending()
    if waiting:
        with unit_of_work():  # the page names the persons: a read of each
            for export in waiting:
                audit.record("consular_person.viewed", object_type="consular_person",
                             object_id=export.person_id,
                             details={"through": "subject-access decisions"})
        waiting = subject_access.pending()
    forms = {e.id: sent if e.id == sent_for else _decision_form(e.id, formdata=None)
             for e in waiting}
    return render_template("consular/subject_access_list.html", waiting=waiting,
                           forms=forms), status


@bp.route("/subject-access/<int:export_id>/<any(approve, refuse):outcome>",
          methods=["POST"])
@allow(Permission.DECIDE_SUBJECT_ACCESS)
def decide_subject_access(export_id: int, outcome: str):
    found = _export(export_id)
    form = _decision_form(found.id)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            subject_access.decide(found, outcome == "approve", form.note.data, current_user)
        if work.done:
            flash(_("Approved: the one who asked may now download the export.")
                  if outcome == "approve" else _("Refused: the export cannot be downloaded."),
                  "success")
            return redirect(url_for("consular.subject_access_requests"))
        status = work.status
    else:
        status = 422
    return _decisions_page(form, found.id, status)


@bp.route("/subject-access/<int:export_id>/export.zip")
@allow(Permission.WORK_CONSULAR_REQUESTS)
def download_subject_access(export_id: int):
    """The ZIP, once approved, for the one who asked or the manager who approved."""
    found = _export(export_id)
    if not subject_access.may_download(found, current_user):
        abort(403)
    try:
        with unit_of_work():
            archive = subject_access.download(found, current_user)
    except subject_access.SubjectAccessError as refused:
        abort(refused.status, description=str(refused))
    name = f"subject-access-{found.person_id}-{found.id}.zip"
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- enquiries ------------------------------------------------------------------------------


@bp.route("/enquiries", methods=["GET", "POST"])
@allow(Permission.LOG_ENQUIRIES)
def enquiries():
    form = EnquiryForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.log_enquiry(current_user, channel=form.channel.data,
                                     topic=form.topic.data, received_on=form.received_on.data)
            if work.done:
                flash(_("Enquiry counted."), "success")
                return redirect(url_for("consular.enquiries"))
    today = db.session.scalars(
        select(Enquiry).where(Enquiry.office_id == current_user.office_id)
        .order_by(Enquiry.id.desc()).limit(20)).all()
    return render_template("consular/enquiries.html", form=form, recent=today), status


# --- service targets (administrators) ------------------------------------------------------


@bp.route("/service-targets", methods=["GET", "POST"])
@allow(Permission.SET_SERVICE_TARGETS)
def service_targets():
    errors = {}
    if request.method == "POST":
        category_value = request.form.get("category", "")
        form = ServiceTargetForm()
        try:
            category = Category(category_value)
        except ValueError:
            abort(400)
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    services.set_service_target(category, form.working_days.data,
                                                current_user, version=form.version.data)
            except services.RequestError as exc:  # one form per category: shown in its row
                errors[category] = str(exc)
            else:
                flash(ngettext("%(category)s: target set to %(num)d working days.",
                               "%(category)s: target set to %(num)d working days.",
                               form.working_days.data, category=category.label), "success")
                return redirect(url_for("consular.service_targets"))
        else:
            errors[category] = "; ".join(e for errs in form.errors.values() for e in errs)
    stored = {t.category: t for t in db.session.scalars(select(ServiceTarget))}
    rows = [(c, stored.get(c)) for c in Category]
    return render_template("consular/service_targets.html", rows=rows, errors=errors,
                           form=ServiceTargetForm()), 422 if errors else 200



# --- possible duplicates (managers) ---------------------------------------------------------

register_duplicate_queue(bp, Compartment.CONSULAR, Permission.COMPARE_CONSULAR_DUPLICATES,
                         "consular.person")
