"""Consular categories, their sub-categories and closing reasons (see shared/DOMAIN.md).

Norway's foreign ministry splits administrative services from help in individual cases; the
EU consular directive 2015/637 names the emergency kinds. One table here, used by forms,
the workflow and the reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tracker.vocabulary import Labelled


class Category(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    DEATH = "death"
    ARREST = "arrest"
    HOSPITALISATION = "hospitalisation"
    VICTIM_OF_CRIME = "victim_of_crime"
    MISSING_PERSON = "missing_person"
    REPORT_OF_CONCERN = "report_of_concern"
    FINANCIAL_DISTRESS = "financial_distress"
    ADVICE = "advice"
    NOTARIAL = "notarial"
    OTHER = "other"

    @property
    def info(self) -> CategoryInfo:
        return CATEGORIES[self]

    @property
    def label(self) -> str:
        return CATEGORIES[self].label


@dataclass(frozen=True)
class CategoryInfo:
    label: str
    subcategories: dict[str, str]
    closing_reasons: dict[str, str]
    # Closing a sensitive request needs a manager's approval (four eyes).
    needs_approval: bool = False
    # Counted with small-count suppression in reports.
    sensitive: bool = False
    default_target_days: int = 10


_WITHDRAWN = {"withdrawn": "Withdrawn by the applicant"}

CATEGORIES: dict[Category, CategoryInfo] = {
    Category.PASSPORT: CategoryInfo(
        "Passport",
        {"new": "New passport", "renewal": "Renewal", "lost_or_stolen": "Lost or stolen",
         "emergency": "Emergency passport"},
        {"issued": "Passport issued", "refused": "Refused", **_WITHDRAWN},
        default_target_days=15),
    Category.NATIONAL_ID: CategoryInfo(
        "National ID number",
        {"fodselsnummer": "Fødselsnummer", "d_number": "D-number",
         "question": "Question about a number"},
        {"assigned": "Number assigned", "answered": "Question answered", "refused": "Refused",
         **_WITHDRAWN},
        default_target_days=15),
    Category.DEATH: CategoryInfo(
        "Death abroad",
        {"notification": "Notification of next of kin", "repatriation": "Repatriation",
         "local_burial": "Local burial", "documents": "Documents"},
        {"repatriated": "Remains repatriated", "buried_locally": "Buried locally",
         "cremated_locally": "Cremated locally", "family_arranged": "Arranged by the family"},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.ARREST: CategoryInfo(
        "Arrest or detention",
        {"arrest": "Arrest", "detention": "Detention", "prison_visit": "Prison visit"},
        {"released": "Released", "sentenced": "Sentenced", "transferred": "Transferred",
         "acquitted": "Acquitted", "deported": "Deported"},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.HOSPITALISATION: CategoryInfo(
        "Serious illness, accident or hospitalisation",
        {"illness": "Serious illness", "accident": "Accident",
         "hospitalisation": "Hospitalisation"},
        {"discharged": "Discharged", "evacuated": "Medically evacuated", "died": "Died",
         "family_took_over": "Family took over"},
        default_target_days=5),
    Category.VICTIM_OF_CRIME: CategoryInfo(
        "Victim of crime",
        {"assault": "Assault", "theft": "Theft or robbery", "fraud": "Fraud",
         "sexual_violence": "Sexual violence", "other": "Other crime"},
        {"assisted": "Assisted", "referred": "Referred to police or a lawyer", **_WITHDRAWN}),
    Category.MISSING_PERSON: CategoryInfo(
        "Missing person",
        {"adult": "Adult", "child": "Child"},
        {"found_safe": "Found safe", "found_dead": "Found dead",
         "referred_to_police": "Handed over to the police", **_WITHDRAWN},
        default_target_days=5),
    Category.REPORT_OF_CONCERN: CategoryInfo(
        "Report of concern",
        {"held_against_will": "Held abroad against their will",
         "forced_marriage": "Forced marriage", "child_at_risk": "Child at risk",
         "other": "Other concern"},
        {"person_safe": "Person safe", "returned_to_norway": "Returned to Norway",
         "referred_to_police": "Referred to the police",
         "referred_to_child_welfare": "Referred to child welfare",
         "no_further_action": "No further action possible"},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.FINANCIAL_DISTRESS: CategoryInfo(
        "Financial distress, relief and repatriation",
        {"relief": "Emergency relief", "repatriation": "Repatriation", "loan": "Loan"},
        {"loan_granted": "Loan granted", "repatriated": "Repatriated", "refused": "Refused",
         **_WITHDRAWN}),
    Category.ADVICE: CategoryInfo(
        "Consular advice", {"general": "General advice", "travel": "Travel advice"},
        {"advice_given": "Advice given", **_WITHDRAWN}, default_target_days=5),
    Category.NOTARIAL: CategoryInfo(
        "Notarial acts and legalisation",
        {"notarial": "Notarial act", "legalisation": "Legalisation", "certificate": "Certificate"},
        {"completed": "Completed", "refused": "Refused", **_WITHDRAWN}),
    Category.OTHER: CategoryInfo(
        "Other", {"other": "Other"}, {"completed": "Completed", **_WITHDRAWN}),
}


class Channel(Labelled):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    WALK_IN = "walk_in", "Walk-in"
    WEB_FORM = "web_form", "Web form"


class WaitingOn(Labelled):
    APPLICANT = "applicant", "The applicant"
    HOST_AUTHORITIES = "host_authorities", "Host-country authorities"
    OTHER_AGENCY = "other_agency", "Another agency"


class CancelReason(Labelled):
    DUPLICATE = "duplicate", "Duplicate of another request"
    WITHDRAWN = "withdrawn", "Withdrawn before work started"
