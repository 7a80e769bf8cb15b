"""Police liaison vocabulary: case kinds, the Nordic services, counterparts, handling codes.

Facts from shared/DOMAIN.md ("Police liaison work"): the PTN liaison officer serves Norway,
Denmark, Finland, Iceland and Sweden; exchanges carry Europol SIENA handling codes; intelligence
is graded 4x4; INTERPOL notices have colours.
"""
from __future__ import annotations

from enum import StrEnum


class PoliceCategory(StrEnum):
    HOMICIDE = "homicide"
    HUMAN_TRAFFICKING = "human_trafficking"
    DRUG_TRAFFICKING = "drug_trafficking"
    MONEY_LAUNDERING = "money_laundering"
    CHILD_ABDUCTION = "child_abduction"
    FORCED_MARRIAGE = "forced_marriage"
    FRAUD = "fraud"
    MISSING_PERSON = "missing_person"
    TERRORISM = "terrorism"
    ORGANISED_CRIME = "organised_crime"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"homicide": "Homicide", "human_trafficking": "Human trafficking",
                "drug_trafficking": "Drug trafficking", "money_laundering": "Money laundering",
                "child_abduction": "Child abduction", "forced_marriage": "Forced marriage",
                "fraud": "Fraud", "missing_person": "Missing person",
                "terrorism": "Terrorism and extremism", "organised_crime": "Organised crime",
                "other": "Other"}[self.value]


class NordicCountry(StrEnum):
    NORWAY = "NO"
    DENMARK = "DK"
    FINLAND = "FI"
    ICELAND = "IS"
    SWEDEN = "SE"

    @property
    def label(self) -> str:
        return {"NO": "Norway", "DK": "Denmark", "FI": "Finland", "IS": "Iceland",
                "SE": "Sweden"}[self.value]

    @property
    def agencies(self) -> tuple[str, ...]:
        """The usual requesting agencies, offered as suggestions (any agency may be typed)."""
        return {"NO": ("Kripos", "Oslo politidistrikt", "Økokrim", "PST"),
                "DK": ("Rigspolitiet", "NSK", "Københavns Politi"),
                "FI": ("KRP (Keskusrikospoliisi)", "Helsinki Police"),
                "IS": ("Ríkislögreglustjóri", "Lögreglan á höfuðborgarsvæðinu"),
                "SE": ("Polismyndigheten/NOA", "Polisregion Stockholm")}[self.value]


class Counterpart(StrEnum):
    FIA = "fia"
    PUNJAB_POLICE = "punjab_police"
    SINDH_POLICE = "sindh_police"
    KP_POLICE = "kp_police"
    BALOCHISTAN_POLICE = "balochistan_police"
    ICT_POLICE = "ict_police"
    GB_POLICE = "gb_police"
    AJK_POLICE = "ajk_police"
    ANF = "anf"
    COURTS = "courts"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"fia": "FIA (Federal Investigation Agency)", "punjab_police": "Punjab Police",
                "sindh_police": "Sindh Police", "kp_police": "Khyber Pakhtunkhwa Police",
                "balochistan_police": "Balochistan Police",
                "ict_police": "Islamabad Capital Territory Police",
                "gb_police": "Gilgit-Baltistan Police",
                "ajk_police": "Azad Jammu and Kashmir Police",
                "anf": "Anti-Narcotics Force",
                "courts": "Courts (mutual legal assistance)", "other": "Other"}[self.value]


class HandlingCode(StrEnum):
    """Europol SIENA handling codes of exchanged information."""

    H0 = "H0"
    H1 = "H1"
    H2 = "H2"
    H3 = "H3"

    @property
    def label(self) -> str:
        return {"H0": "H0 – only to prevent or combat crime",
                "H1": "H1 – not for use in court without the provider's permission",
                "H2": "H2 – not to be passed on without the provider's permission",
                "H3": "H3 – other restrictions (stated)"}[self.value]

    @property
    def strictness(self) -> int:
        # H2 forbids passing on at all, the strongest limit on what the tracker may share;
        # H3's restrictions are stated in words and shown beside the code.
        return {"H0": 0, "H1": 1, "H3": 2, "H2": 3}[self.value]

    @property
    def may_leave_compartment(self) -> bool:
        return self is not HandlingCode.H2


class SourceGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    X = "X"

    @property
    def label(self) -> str:
        return {"A": "A – no doubt about the source", "B": "B – source mostly reliable",
                "C": "C – source not reliable", "X": "X – reliability cannot be judged"}[
            self.value]


class InformationGrade(StrEnum):
    ONE = "1"
    TWO = "2"
    THREE = "3"
    FOUR = "4"

    @property
    def label(self) -> str:
        return {"1": "1 – no doubt about accuracy", "2": "2 – known to the source personally",
                "3": "3 – not known personally, corroborated",
                "4": "4 – cannot be judged"}[self.value]


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ExchangeChannel(StrEnum):
    SIENA = "siena"
    INTERPOL = "interpol"
    EMAIL = "email"
    MEETING = "meeting"
    PHONE = "phone"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return {"siena": "SIENA", "interpol": "INTERPOL I-24/7", "email": "E-mail",
                "meeting": "Meeting", "phone": "Phone", "letter": "Letter"}[self.value]


class NoticeColour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"
    BLACK = "black"
    GREEN = "green"
    ORANGE = "orange"
    PURPLE = "purple"
    DIFFUSION = "diffusion"

    @property
    def label(self) -> str:
        return "Diffusion" if self is NoticeColour.DIFFUSION else f"{self.value.capitalize()} Notice"


class PartyRole(StrEnum):
    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"
    ABDUCTED_CHILD = "abducted_child"
    PARENT_OR_COMPLAINANT = "parent_or_complainant"
    MISSING_PERSON = "missing_person"

    @property
    def label(self) -> str:
        return {"suspect": "Suspect", "victim": "Victim", "witness": "Witness",
                "abducted_child": "Abducted child",
                "parent_or_complainant": "Parent or complainant",
                "missing_person": "Missing person"}[self.value]


class Outcome(StrEnum):
    ARREST = "arrest"
    EXTRADITION = "extradition"
    CONVICTION = "conviction"
    RETURNED_HAGUE = "returned_hague"
    RETURN_REFUSED = "return_refused"
    PARENTS_AGREEMENT = "parents_agreement"
    VOLUNTARY_RETURN = "voluntary_return"
    TRANSFERRED = "transferred"
    NO_FURTHER_ACTION = "no_further_action"

    @property
    def label(self) -> str:
        return {"arrest": "Arrest", "extradition": "Extradition", "conviction": "Conviction",
                "returned_hague": "Child returned under the Hague convention",
                "return_refused": "Court decision against return",
                "parents_agreement": "Parents' agreement",
                "voluntary_return": "Voluntary return", "transferred": "Transferred",
                "no_further_action": "No further action"}[self.value]
