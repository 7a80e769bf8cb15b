"""One timeline per request: status changes, notes, contacts and documents in time order."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import make_document, make_person, make_user
from tracker.auth.models import Role
from tracker.cases import documents, journal
from tracker.consular import services
from tracker.db import utcnow


def _timeline_html(html: str) -> str:
    return html.split('id="timeline"')[1].split("</section>")[0]


def test_the_page_shows_everything_in_time_order(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    user = officer.user
    colleague = make_user(Role.CONSULAR_OFFICER, office=user.office,
                          display_name="Colleague Ødegård")
    now = utcnow()
    request = services.create_request(user, user.office, services.RequestInput(
        category="arrest", subcategory="detention", priority="urgent", channel="phone",
        summary="Detained in Rawalpindi"), [make_person()],
        opened_at=now - timedelta(hours=3))
    journal.add_note(request, user, "Alpha: the family called")
    journal.add_contact(request, colleague, "visit", "The prison governor",
                        "Bravo: visit agreed")
    attachment = make_document(request, user, filename="charlie-charge-sheet.pdf")
    # Recorded last, but it happened two hours ago: it must come right after the opening.
    services.move(request, user, "start", comment="Delta: work began at the embassy",
                  at=now - timedelta(hours=2))
    services.move(request, user, "wait", waiting_on="host_authorities",
                  waiting_reason="Echo: court date", comment="Echo: waiting for the court")
    documents.remove_document(request, attachment, user, "Foxtrot: wrong version")
    page = officer.get(f"/consular/requests/{request.reference}")
    assert page.status_code == 200
    timeline = _timeline_html(page.get_data(as_text=True))
    expected = ["Opened", "Delta: work began", "Alpha: the family called",
                "Prison or hospital visit with The prison governor", "Bravo: visit agreed",
                "Document added:", "charlie-charge-sheet.pdf", "Echo: waiting for the court",
                "Document removed:", "Foxtrot: wrong version"]
    positions = [timeline.find(text) for text in expected]
    assert -1 not in positions, dict(zip(expected, positions))
    assert positions == sorted(positions), dict(zip(expected, positions))
    # Who did each thing is on its line.
    items = re.findall(r"<li class=\"timeline-(\w+)\".*?</li>", timeline, re.S)
    assert items == ["opened", "status", "note", "contact", "document_added", "status",
                     "document_removed"]
    assert "Colleague Ødegård" in timeline and user.display_name in timeline
    assert "Start work</strong>: New → In progress" in timeline
    assert "In progress → Waiting" in timeline
