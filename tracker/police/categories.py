"""Police liaison vocabulary: case kinds, the Nordic services, counterparts, handling codes.

Facts from shared/DOMAIN.md ("Police liaison work"): the PTN liaison officer serves Norway,
Denmark, Finland, Iceland and Sweden; exchanges carry Europol SIENA handling codes; intelligence
is graded 4x4; INTERPOL notices have colours.
"""
from __future__ import annotations

from tracker.vocabulary import Labelled


class PoliceCategory(Labelled):
    HOMICIDE = "homicide", "Homicide"
    HUMAN_TRAFFICKING = "human_trafficking", "Human trafficking"
    DRUG_TRAFFICKING = "drug_trafficking", "Drug trafficking"
    MONEY_LAUNDERING = "money_laundering", "Money laundering"
    CHILD_ABDUCTION = "child_abduction", "Child abduction"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"
    FRAUD = "fraud", "Fraud"
    MISSING_PERSON = "missing_person", "Missing person"
    TERRORISM = "terrorism", "Terrorism and extremism"
    ORGANISED_CRIME = "organised_crime", "Organised crime"
    OTHER = "other", "Other"


class NordicCountry(Labelled):
    NORWAY = "NO", "Norway"
    DENMARK = "DK", "Denmark"
    FINLAND = "FI", "Finland"
    ICELAND = "IS", "Iceland"
    SWEDEN = "SE", "Sweden"

    @property
    def agencies(self) -> tuple[str, ...]:
        """The usual requesting agencies, offered as suggestions (any agency may be typed)."""
        return {"NO": ("Kripos", "Oslo politidistrikt", "Økokrim", "PST"),
                "DK": ("Rigspolitiet", "NSK", "Københavns Politi"),
                "FI": ("KRP (Keskusrikospoliisi)", "Helsinki Police"),
                "IS": ("Ríkislögreglustjóri", "Lögreglan á höfuðborgarsvæðinu"),
                "SE": ("Polismyndigheten/NOA", "Polisregion Stockholm")}[self.value]


class Counterpart(Labelled):
    FIA = "fia", "FIA (Federal Investigation Agency)"
    PUNJAB_POLICE = "punjab_police", "Punjab Police"
    SINDH_POLICE = "sindh_police", "Sindh Police"
    KP_POLICE = "kp_police", "Khyber Pakhtunkhwa Police"
    BALOCHISTAN_POLICE = "balochistan_police", "Balochistan Police"
    ICT_POLICE = "ict_police", "Islamabad Capital Territory Police"
    GB_POLICE = "gb_police", "Gilgit-Baltistan Police"
    AJK_POLICE = "ajk_police", "Azad Jammu and Kashmir Police"
    ANF = "anf", "Anti-Narcotics Force"
    COURTS = "courts", "Courts (mutual legal assistance)"
    OTHER = "other", "Other"


class HandlingCode(Labelled):
    """Europol SIENA handling codes of exchanged information."""

    H0 = "H0", "H0 – only to prevent or combat crime"
    H1 = "H1", "H1 – not for use in court without the provider's permission"
    H2 = "H2", "H2 – not to be passed on without the provider's permission"
    H3 = "H3", "H3 – other restrictions (stated)"

    @property
    def strictness(self) -> int:
        # H2 forbids passing on at all, the strongest limit on what the tracker may share;
        # H3's restrictions are stated in words and shown beside the code.
        return {"H0": 0, "H1": 1, "H3": 2, "H2": 3}[self.value]

    @property
    def may_leave_compartment(self) -> bool:
        return self is not HandlingCode.H2


class SourceGrade(Labelled):
    A = "A", "A – no doubt about the source"
    B = "B", "B – source mostly reliable"
    C = "C", "C – source not reliable"
    X = "X", "X – reliability cannot be judged"


class InformationGrade(Labelled):
    ONE = "1", "1 – no doubt about accuracy"
    TWO = "2", "2 – known to the source personally"
    THREE = "3", "3 – not known personally, corroborated"
    FOUR = "4", "4 – cannot be judged"


class Direction(Labelled):
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"


class ExchangeChannel(Labelled):
    SIENA = "siena", "SIENA"
    INTERPOL = "interpol", "INTERPOL I-24/7"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"


class NoticeColour(Labelled):
    RED = "red", "Red Notice"
    YELLOW = "yellow", "Yellow Notice"
    BLUE = "blue", "Blue Notice"
    BLACK = "black", "Black Notice"
    GREEN = "green", "Green Notice"
    ORANGE = "orange", "Orange Notice"
    PURPLE = "purple", "Purple Notice"
    DIFFUSION = "diffusion", "Diffusion"


class PartyRole(Labelled):
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    ABDUCTED_CHILD = "abducted_child", "Abducted child"
    PARENT_OR_COMPLAINANT = "parent_or_complainant", "Parent or complainant"
    MISSING_PERSON = "missing_person", "Missing person"


class Outcome(Labelled):
    ARREST = "arrest", "Arrest"
    EXTRADITION = "extradition", "Extradition"
    CONVICTION = "conviction", "Conviction"
    RETURNED_HAGUE = "returned_hague", "Child returned under the Hague convention"
    RETURN_REFUSED = "return_refused", "Court decision against return"
    PARENTS_AGREEMENT = "parents_agreement", "Parents' agreement"
    VOLUNTARY_RETURN = "voluntary_return", "Voluntary return"
    TRANSFERRED = "transferred", "Transferred"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
