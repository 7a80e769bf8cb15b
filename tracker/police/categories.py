"""Police liaison vocabulary: case kinds, the Nordic services, counterparts, handling codes.

Facts from shared/DOMAIN.md ("Police liaison work"): the PTN liaison officer serves Norway,
Denmark, Finland, Iceland and Sweden; exchanges carry Europol SIENA handling codes; intelligence
is graded 4x4; INTERPOL notices have colours.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.vocabulary import Labelled


class PoliceCategory(Labelled):
    HOMICIDE = "homicide", _l("Homicide")
    HUMAN_TRAFFICKING = "human_trafficking", _l("Human trafficking")
    DRUG_TRAFFICKING = "drug_trafficking", _l("Drug trafficking")
    MONEY_LAUNDERING = "money_laundering", _l("Money laundering")
    CHILD_ABDUCTION = "child_abduction", _l("Child abduction")
    FORCED_MARRIAGE = "forced_marriage", _l("Forced marriage")
    FRAUD = "fraud", _l("Fraud")
    MISSING_PERSON = "missing_person", _l("Missing person")
    TERRORISM = "terrorism", _l("Terrorism and extremism")
    ORGANISED_CRIME = "organised_crime", _l("Organised crime")
    OTHER = "other", _l("Other")


class NordicCountry(Labelled):
    NORWAY = "NO", _l("Norway")
    DENMARK = "DK", _l("Denmark")
    FINLAND = "FI", _l("Finland")
    ICELAND = "IS", _l("Iceland")
    SWEDEN = "SE", _l("Sweden")

    @property
    def agencies(self) -> tuple[str, ...]:
        """The usual requesting agencies, offered as suggestions (any agency may be typed)."""
        return {"NO": ("Kripos", "Oslo politidistrikt", "Økokrim", "PST"),
                "DK": ("Rigspolitiet", "NSK", "Københavns Politi"),
                "FI": ("KRP (Keskusrikospoliisi)", "Helsinki Police"),
                "IS": ("Ríkislögreglustjóri", "Lögreglan á höfuðborgarsvæðinu"),
                "SE": ("Polismyndigheten/NOA", "Polisregion Stockholm")}[self.value]


class Counterpart(Labelled):
    FIA = "fia", _l("FIA (Federal Investigation Agency)")
    PUNJAB_POLICE = "punjab_police", _l("Punjab Police")
    SINDH_POLICE = "sindh_police", _l("Sindh Police")
    KP_POLICE = "kp_police", _l("Khyber Pakhtunkhwa Police")
    BALOCHISTAN_POLICE = "balochistan_police", _l("Balochistan Police")
    ICT_POLICE = "ict_police", _l("Islamabad Capital Territory Police")
    GB_POLICE = "gb_police", _l("Gilgit-Baltistan Police")
    AJK_POLICE = "ajk_police", _l("Azad Jammu and Kashmir Police")
    ANF = "anf", _l("Anti-Narcotics Force")
    COURTS = "courts", _l("Courts (mutual legal assistance)")
    OTHER = "other", _l("Other")


class HandlingCode(Labelled):
    """Europol SIENA handling codes of exchanged information."""

    H0 = "H0", _l("H0 – only to prevent or combat crime")
    H1 = "H1", _l("H1 – not for use in court without the provider's permission")
    H2 = "H2", _l("H2 – not to be passed on without the provider's permission")
    H3 = "H3", _l("H3 – other restrictions (stated)")

    @property
    def strictness(self) -> int:
        # H2 forbids passing on at all, the strongest limit on what the tracker may share;
        # H3's restrictions are stated in words and shown beside the code.
        return {"H0": 0, "H1": 1, "H3": 2, "H2": 3}[self.value]

    @property
    def may_leave_compartment(self) -> bool:
        return self is not HandlingCode.H2


class SourceGrade(Labelled):
    A = "A", _l("A – no doubt about the source")
    B = "B", _l("B – source mostly reliable")
    C = "C", _l("C – source not reliable")
    X = "X", _l("X – reliability cannot be judged")


class InformationGrade(Labelled):
    ONE = "1", _l("1 – no doubt about accuracy")
    TWO = "2", _l("2 – known to the source personally")
    THREE = "3", _l("3 – not known personally, corroborated")
    FOUR = "4", _l("4 – cannot be judged")


class Direction(Labelled):
    SENT = "sent", _l("Sent")
    RECEIVED = "received", _l("Received")


class ExchangeChannel(Labelled):
    SIENA = "siena", _l("SIENA")
    INTERPOL = "interpol", _l("INTERPOL I-24/7")
    EMAIL = "email", _l("E-mail")
    MEETING = "meeting", _l("Meeting")
    PHONE = "phone", _l("Phone")
    LETTER = "letter", _l("Letter")


class NoticeColour(Labelled):
    RED = "red", _l("Red Notice")
    YELLOW = "yellow", _l("Yellow Notice")
    BLUE = "blue", _l("Blue Notice")
    BLACK = "black", _l("Black Notice")
    GREEN = "green", _l("Green Notice")
    ORANGE = "orange", _l("Orange Notice")
    PURPLE = "purple", _l("Purple Notice")
    DIFFUSION = "diffusion", _l("Diffusion")


class PartyRole(Labelled):
    SUSPECT = "suspect", _l("Suspect")
    VICTIM = "victim", _l("Victim")
    WITNESS = "witness", _l("Witness")
    ABDUCTED_CHILD = "abducted_child", _l("Abducted child")
    PARENT_OR_COMPLAINANT = "parent_or_complainant", _l("Parent or complainant")
    MISSING_PERSON = "missing_person", _l("Missing person")


class Outcome(Labelled):
    ARREST = "arrest", _l("Arrest")
    EXTRADITION = "extradition", _l("Extradition")
    CONVICTION = "conviction", _l("Conviction")
    RETURNED_HAGUE = "returned_hague", _l("Child returned under the Hague convention")
    RETURN_REFUSED = "return_refused", _l("Court decision against return")
    PARENTS_AGREEMENT = "parents_agreement", _l("Parents' agreement")
    VOLUNTARY_RETURN = "voluntary_return", _l("Voluntary return")
    TRANSFERRED = "transferred", _l("Transferred")
    NO_FURTHER_ACTION = "no_further_action", _l("No further action")
