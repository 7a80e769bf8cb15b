"""Consular categories, their sub-categories and closing reasons (see shared/DOMAIN.md).

Norway's foreign ministry splits administrative services from help in individual cases; the
EU consular directive 2015/637 names the emergency kinds. One table here, used by forms,
the workflow and the reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from flask_babel import lazy_gettext as _l

from tracker.vocabulary import LazyLabel, Labelled


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
        return LazyLabel(CATEGORIES[self].label)


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


_WITHDRAWN = {"withdrawn": _l("Withdrawn by the applicant")}

CATEGORIES: dict[Category, CategoryInfo] = {
    Category.PASSPORT: CategoryInfo(
        _l("Passport"),
        {"new": _l("New passport"), "renewal": _l("Renewal"),
         "lost_or_stolen": _l("Lost or stolen"),
         "emergency": _l("Emergency passport")},
        {"issued": _l("Passport issued"), "refused": _l("Refused"), **_WITHDRAWN},
        default_target_days=15),
    Category.NATIONAL_ID: CategoryInfo(
        _l("National ID number"),
        {"fodselsnummer": _l("Fødselsnummer"), "d_number": _l("D-number"),
         "question": _l("Question about a number")},
        {"assigned": _l("Number assigned"), "answered": _l("Question answered"),
         "refused": _l("Refused"),
         **_WITHDRAWN},
        default_target_days=15),
    Category.DEATH: CategoryInfo(
        _l("Death abroad"),
        {"notification": _l("Notification of next of kin"), "repatriation": _l("Repatriation"),
         "local_burial": _l("Local burial"), "documents": _l("Documents")},
        {"repatriated": _l("Remains repatriated"), "buried_locally": _l("Buried locally"),
         "cremated_locally": _l("Cremated locally"),
         "family_arranged": _l("Arranged by the family")},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.ARREST: CategoryInfo(
        _l("Arrest or detention"),
        {"arrest": _l("Arrest"), "detention": _l("Detention"), "prison_visit": _l("Prison visit")},
        {"released": _l("Released"), "sentenced": _l("Sentenced"),
         "transferred": _l("Transferred"),
         "acquitted": _l("Acquitted"), "deported": _l("Deported")},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.HOSPITALISATION: CategoryInfo(
        _l("Serious illness, accident or hospitalisation"),
        {"illness": _l("Serious illness"), "accident": _l("Accident"),
         "hospitalisation": _l("Hospitalisation")},
        {"discharged": _l("Discharged"), "evacuated": _l("Medically evacuated"),
         "died": _l("Died"),
         "family_took_over": _l("Family took over")},
        default_target_days=5),
    Category.VICTIM_OF_CRIME: CategoryInfo(
        _l("Victim of crime"),
        {"assault": _l("Assault"), "theft": _l("Theft or robbery"), "fraud": _l("Fraud"),
         "sexual_violence": _l("Sexual violence"), "other": _l("Other crime")},
        {"assisted": _l("Assisted"), "referred": _l("Referred to police or a lawyer"),
         **_WITHDRAWN}),
    Category.MISSING_PERSON: CategoryInfo(
        _l("Missing person"),
        {"adult": _l("Adult"), "child": _l("Child")},
        {"found_safe": _l("Found safe"), "found_dead": _l("Found dead"),
         "referred_to_police": _l("Handed over to the police"), **_WITHDRAWN},
        default_target_days=5),
    Category.REPORT_OF_CONCERN: CategoryInfo(
        _l("Report of concern"),
        {"held_against_will": _l("Held abroad against their will"),
         "forced_marriage": _l("Forced marriage"), "child_at_risk": _l("Child at risk"),
         "other": _l("Other concern")},
        {"person_safe": _l("Person safe"), "returned_to_norway": _l("Returned to Norway"),
         "referred_to_police": _l("Referred to the police"),
         "referred_to_child_welfare": _l("Referred to child welfare"),
         "no_further_action": _l("No further action possible")},
        needs_approval=True, sensitive=True, default_target_days=5),
    Category.FINANCIAL_DISTRESS: CategoryInfo(
        _l("Financial distress, relief and repatriation"),
        {"relief": _l("Emergency relief"), "repatriation": _l("Repatriation"), "loan": _l("Loan")},
        {"loan_granted": _l("Loan granted"), "repatriated": _l("Repatriated"),
         "refused": _l("Refused"),
         **_WITHDRAWN}),
    Category.ADVICE: CategoryInfo(
        _l("Consular advice"), {"general": _l("General advice"), "travel": _l("Travel advice")},
        {"advice_given": _l("Advice given"), **_WITHDRAWN}, default_target_days=5),
    Category.NOTARIAL: CategoryInfo(
        _l("Notarial acts and legalisation"),
        {"notarial": _l("Notarial act"), "legalisation": _l("Legalisation"),
         "certificate": _l("Certificate")},
        {"completed": _l("Completed"), "refused": _l("Refused"), **_WITHDRAWN}),
    Category.OTHER: CategoryInfo(
        _l("Other"), {"other": _l("Other")}, {"completed": _l("Completed"), **_WITHDRAWN}),
}


class Channel(Labelled):
    PHONE = "phone", _l("Phone")
    EMAIL = "email", _l("E-mail")
    WALK_IN = "walk_in", _l("Walk-in")
    WEB_FORM = "web_form", _l("Web form")


class WaitingOn(Labelled):
    APPLICANT = "applicant", _l("The applicant")
    HOST_AUTHORITIES = "host_authorities", _l("Host-country authorities")
    OTHER_AGENCY = "other_agency", _l("Another agency")


class CancelReason(Labelled):
    DUPLICATE = "duplicate", _l("Duplicate of another request")
    WITHDRAWN = "withdrawn", _l("Withdrawn before work started")
