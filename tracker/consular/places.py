"""Where events happen: the districts each office covers, offered as suggestions only.

The place of the event is free text (a village, a hospital's town); these names are what the
officers pick most, listed per office code so that the new-request and edit forms can suggest
the districts of the offices the officer serves.
"""
from __future__ import annotations

from tracker.auth.models import Office

# Embassy: Islamabad Capital Territory, Khyber Pakhtunkhwa, Gilgit-Baltistan, Azad Jammu and
# Kashmir and northern Punjab; Karachi: Sindh and Balochistan; Lahore: the rest of Punjab.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "ISB": ("Islamabad", "Rawalpindi", "Murree", "Attock", "Abbottabad", "Mansehra",
            "Peshawar", "Mardan", "Swat", "Gilgit", "Skardu", "Muzaffarabad", "Mirpur"),
    "KHI": ("Karachi", "Hyderabad", "Sukkur", "Larkana", "Quetta", "Gwadar"),
    "LHE": ("Lahore", "Faisalabad", "Gujranwala", "Gujrat", "Kharian", "Jhelum", "Sialkot",
            "Sargodha", "Multan", "Bahawalpur"),
}


def suggestions(offices: list[Office]) -> list[str]:
    """The districts of these offices, each once, in the offices' order."""
    return list(dict.fromkeys(name for office in offices
                              for name in DISTRICTS.get(office.code, ())))
