"""Rule 3: small counts of police figures and of deaths, arrests and reports of concern show as
"<5"; a total never lets one work a hidden cell out; other categories show their real counts.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_liaison_case, make_office, make_request, make_user
from tracker.auth.models import OfficeKind, Role
from tracker.consular.categories import Category
from tracker.db import utcnow
from tracker.police.categories import NordicCountry, PoliceCategory
from tracker.reports.figures import Table
from tracker.reports.periods import Month
from tracker.reports.render import display_tables
from tracker.reports.report import live_report

from .attacker import hidden_ranges, pinned
from .pages import (
    chart_data,
    csv_tables,
    hidden,
    html_tables,
    lines_with_totals,
    pdf_row,
    pdf_text,
    xlsx_tables,
)

T = 5  # SMALL_COUNT_THRESHOLD in the test configuration (checked below)
FM = PoliceCategory.FORCED_MARRIAGE.label
SWEDEN = NordicCountry.SWEDEN.label
POLICE_TITLES = {"Liaison cases by kind", "Liaison cases by the country they are handled for",
                 "Exchanges with counterparts", "Child abduction: cases and children",
                 "Outcomes of cases closed in the month"}


def test_the_threshold_is_the_configured_one(app):
    assert app.config["SMALL_COUNT_THRESHOLD"] == T


# --- the rule on any table ------------------------------------------------------------------


@st.composite
def tables(draw, key="t"):
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    small_or_zero = st.one_of(st.integers(0, 6), st.integers(0, 40))
    rows = [(f"row {i}", draw(st.lists(small_or_zero, min_size=n_cols, max_size=n_cols)))
            for i in range(n_rows)]
    sensitive = draw(st.booleans())
    sensitive_rows = set() if sensitive else {
        label for label, _ in rows if draw(st.booleans())}
    return Table(key, f"Table {key}", "Row", [f"col {j}" for j in range(n_cols)], rows,
                 sensitive=sensitive, sensitive_rows=sensitive_rows,
                 totals=draw(st.booleans()), row_totals=draw(st.booleans()))


def check_table(table: Table, shown) -> None:
    """Every promise of the rule, for one table as displayed."""
    is_sensitive = lambda label: table.sensitive or label in table.sensitive_rows  # noqa: E731
    for (label, values), row in zip(table.rows, shown.rows):
        assert row[0] == label
        for value, text in zip(values, row[1:1 + len(values)]):
            if is_sensitive(label) and 0 < value < T:
                # "*" where even "<5" would say too much (with the total, two of them).
                assert hidden(text), (label, value, text)
            elif not hidden(text):
                assert text == f"{value:,}", (label, value, text)
            elif text == f"<{T}":
                # Not a sensitive row: a figure repeated from one that is (a small total).
                assert 0 < value < T, (label, value, text)
    if shown.footer is None and shown.header[-1] != "Total":
        return
    true_row_totals = [sum(values) for _, values in table.rows]
    true_col_totals = [sum(values[j] for _, values in table.rows)
                       for j in range(len(table.columns))]
    for cells, total in lines_with_totals(shown):
        count_hidden = sum(1 for c in cells if hidden(c))
        if not hidden(total):
            assert count_hidden != 1, (
                f"{table.title}: the total {total} gives away the one hidden cell of {cells}")
        elif all(not hidden(c) for c in cells):
            assert all(c == "0" for c in cells), (
                f"{table.title}: the hidden total is the sum of {cells}")
    if shown.header[-1] == "Total":
        for row, value in zip(shown.rows, true_row_totals):
            assert hidden(row[-1]) or row[-1] == f"{value:,}"
    if shown.footer is not None:
        for text, value in zip(shown.footer[1:], true_col_totals + [sum(true_col_totals)]):
            assert hidden(text) or text == f"{value:,}"
        # A small total of sensitive cases is a small count too.
        for j, value in enumerate(true_col_totals):
            if 0 < value < T and any(is_sensitive(label) and values[j]
                                     for label, values in table.rows):
                assert hidden(shown.footer[1 + j]), (table.title, j, value)


@settings(max_examples=int(os.environ.get("REPORT_EXAMPLES", 400)), deadline=None)
@given(table=tables())
def test_a_total_never_gives_a_hidden_cell_away(table):
    [shown] = display_tables([table], T)
    check_table(table, shown)


def test_a_single_small_count_with_nothing_to_cover_it_hides_the_total():
    """One forced-marriage case and nothing else: the totals would be 1."""
    table = Table("t", "Deaths and passports", "Category", ["Opened", "Closed"],
                  [("Death abroad", [1, 0]), ("Passport", [0, 0])],
                  sensitive_rows={"Death abroad"})
    [shown] = display_tables([table], T)
    assert shown.rows[0][1] == "<5" and shown.footer[1] != "1" and hidden(shown.footer[1])


def test_a_cover_in_another_row_keeps_the_row_totals_safe():
    """Exchanges: Norway 1 sent; Sweden 10 and 10. Hiding Sweden's sent as the cover must not
    leave Sweden's row (total 20) or the received column with one hidden cell."""
    table = Table("t", "Exchanges", "Country", ["Sent", "Received"],
                  [("Norway", [1, 0]), ("Sweden", [10, 10])], sensitive=True, row_totals=True)
    [shown] = display_tables([table], T)
    check_table(table, shown)
    assert shown.rows[0][1] == "<5"


# --- the report as people get it ------------------------------------------------------------


@pytest.fixture
def forced_marriage(app):
    """One forced-marriage case, handled for Sweden, opened now at the embassy."""
    embassy = make_office(kind=OfficeKind.EMBASSY)
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    case, _, _ = make_liaison_case(liaison, category="forced_marriage", country="SE",
                                   title="Young woman taken abroad")
    return embassy, liaison, Month.containing(utcnow(), "Asia/Karachi")


def _assert_police_hidden(tables: dict, where: str) -> None:
    kinds = tables["Liaison cases by kind"]
    assert kinds.row(FM) == ["<5", "0", "<5"], where
    assert kinds.total("Opened") == "<5" and kinds.total("Active at month end") == "<5", where
    countries = tables["Liaison cases by the country they are handled for"]
    assert countries.row(SWEDEN) == ["<5", "0", "<5"], where
    assert countries.total("Opened") == "<5", where
    for title in POLICE_TITLES:
        table = tables[title]
        for row in table.rows + ([table.footer] if table.footer else []):
            assert "1" not in row[1:], f"{where}: {title} shows 1 in {row}"


def test_a_single_forced_marriage_case_shows_as_under_five_everywhere(login_as,
                                                                      forced_marriage):
    embassy, liaison, month = forced_marriage
    live = live_report(month, None)
    assert next(t for t in live.police if t.key == "police_by_category").value(
        FM, "Opened") == 1, "the case must be counted (as 1) before it is hidden"
    manager = login_as(Role.MANAGER, office=embassy)
    officer = login_as(Role.POLICE_LIAISON_OFFICER, office=embassy)
    for who, client in (("manager", manager), ("liaison officer", officer)):
        page = client.get(f"/reports/?month={month}&office=all")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        _assert_police_hidden(html_tables(html), f"page for the {who}")
        police_chart = next(c for c in chart_data(html)["charts"] if c["section"] == "police")
        [series] = police_chart["series"]
        assert 1 not in series["values"] and series["shown"][-1] == "<5", who
        assert "Liaison cases opened 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, &lt;5" in html, who

        body = client.get(f"/reports/export/csv?month={month}&office=all").data
        _assert_police_hidden(csv_tables(body, POLICE_TITLES), f"CSV for the {who}")
        body = client.get(f"/reports/export/xlsx?month={month}&office=all").data
        _assert_police_hidden(xlsx_tables(body, POLICE_TITLES), f"XLSX for the {who}")

        text = pdf_text(client.get(f"/reports/export/pdf?month={month}&office=all").data)
        rows = pdf_row(text, FM)
        assert rows == [["<5", "0", "<5"]], (who, rows)
        assert pdf_row(text, SWEDEN)[0] == ["<5", "0", "<5"], who
        for row in pdf_row(text, "Total"):
            assert "1" not in row, (who, row)


def test_sensitive_consular_categories_hide_small_counts_and_others_do_not(login_as):
    office = make_office(kind=OfficeKind.EMBASSY)
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    make_request(officer=officer, category="death:notification", summary="Death")
    make_request(officer=officer, category="arrest:arrest", summary="Arrest")
    make_request(officer=officer, category="report_of_concern:forced_marriage", summary="Concern")
    for _ in range(2):
        make_request(officer=officer, category="passport:renewal")
    make_request(officer=officer, category="hospitalisation:accident", summary="Accident")
    month = Month.containing(utcnow(), "Asia/Karachi")
    manager = login_as(Role.MANAGER, office=office)
    tables = html_tables(manager.get(f"/reports/?month={month}&office=all")
                         .get_data(as_text=True))
    by_category = tables["Requests by category"]
    for category in (Category.DEATH, Category.ARREST, Category.REPORT_OF_CONCERN):
        assert by_category.row(category.label)[0] == "<5"
        assert by_category.row(category.label)[3] == "<5"  # open at month end
    # Not sensitive: never "<5". Shown, or withheld ("*") where the total would otherwise
    # pin the three hidden cells (6 - 2 - 1 = 3 for three cells of at least 1 each).
    assert by_category.row(Category.PASSPORT.label)[0] in ("2", "*")
    assert by_category.row(Category.HOSPITALISATION.label)[0] in ("1", "*")
    published = tables["Counts for publication"]
    assert published.row("Deaths") == ["<5"] and published.row("Arrests") == ["<5"]
    assert published.row("Reports of concern") == ["<5"]
    assert published.row("Hospitalisations") == by_category.row(
        Category.HOSPITALISATION.label)[:1]
    assert by_category.total("Opened") in ("6", "*")
    report = live_report(month, None)
    _no_pinned_cell(display_tables(report.consular, T), REPEATED)


def test_a_cell_withheld_in_one_table_is_withheld_where_another_table_repeats_it():
    """Resolved this month: 10 passports and 1 death. The death's "<5" needs a cover in the
    Resolved column; the passports' resolved count, withheld there, must not be read off the
    days-to-resolution table (which repeats it), or 11 - 10 gives the death away."""
    by_category = Table("requests_by_category", "Requests by category", "Category",
                        ["Opened", "Resolved", "Closed", "Open at month end"],
                        [(Category.PASSPORT.label, [10, 10, 0, 0]),
                         (Category.DEATH.label, [0, 1, 0, 0])],
                        sensitive_rows={Category.DEATH.label})
    days = Table("time_to_resolution", "Days", "Category",
                 ["Resolved", "Median days", "90th percentile days"],
                 [(Category.PASSPORT.label, [10, 2.0, 5.0]),
                  (Category.DEATH.label, [1, 3.0, 3.0])],
                 sensitive_rows={Category.DEATH.label}, totals=False, unit="days")
    shown_category, shown_days = display_tables([by_category, days], T)
    assert shown_category.rows[1][2] == "<5"
    assert shown_category.rows[0][2] == "*"
    assert shown_category.footer[2] == "11"
    assert shown_days.rows[0][1] == "*", "the withheld passport count is repeated here"
    assert shown_days.rows[1][1:] == ["<5", "*", "*"]


def test_every_table_on_the_page_keeps_its_totals_safe(login_as, forced_marriage):
    """A mixed month: each table with totals, as shown, obeys the rule for every line."""
    embassy, liaison, month = forced_marriage
    for category, country in (("homicide", "NO"), ("homicide", "NO"), ("fraud", "DK"),
                              ("child_abduction", "SE"), ("drug_trafficking", "NO"),
                              ("drug_trafficking", "NO"), ("drug_trafficking", "FI")):
        make_liaison_case(liaison, category=category, country=country)
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    for category in ("death:notification", "passport:renewal", "passport:renewal",
                     "passport:new", "arrest:arrest", "arrest:detention", "advice:general"):
        make_request(officer=officer, category=category)
    manager = login_as(Role.MANAGER, office=embassy)
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    tables = html_tables(html)
    checked = 0
    for title, table in tables.items():
        for cells, total in lines_with_totals(table):
            if not hidden(total):
                assert sum(1 for c in cells if hidden(c)) != 1, (title, cells, total)
            checked += 1
    assert checked > 20
    assert _chart_points_agree_with_tables(html) == 4


# --- the rule on whole reports --------------------------------------------------------------

REPEATED = [  # (table, row, column) shown twice: hidden in both or in neither
    *[(("requests_by_category", c.label, "Resolved"), ("time_to_resolution", c.label,
                                                        "Resolved")) for c in Category],
    *[(("requests_by_category", c.label, "Opened"), ("published_counts", label, "Count"))
      for label, c in (("Deaths", Category.DEATH), ("Arrests", Category.ARREST),
                       ("Hospitalisations", Category.HOSPITALISATION),
                       ("Reports of concern", Category.REPORT_OF_CONCERN))],
    (("requests_by_category", "Total", "Opened"), ("persons_helped", "Requests opened",
                                                   "Count")),
    *[(("requests_by_category", "Total", m), ("requests_by_office", "Total", m))
      for m in ("Opened", "Resolved", "Closed", "Open at month end")],
    *[(("police_by_category", "Total", m), ("police_by_country", "Total", m))
      for m in ("Opened", "Closed", "Active at month end")],
    (("police_by_category", "Total", "Closed"), ("police_outcomes", "Total", "Cases")),
    (("police_by_category", PoliceCategory.CHILD_ABDUCTION.label, "Opened"),
     ("police_children", "Opened in the month", "Cases")),
    (("police_by_category", PoliceCategory.CHILD_ABDUCTION.label, "Active at month end"),
     ("police_children", "Active at month end", "Cases")),
]


def _shown_cell(shown: dict, key: str, row: str, column: str) -> str:
    table = shown[key]
    line = table.footer if row == "Total" else next(r for r in table.rows if r[0] == row)
    return line[table.header.index(column)]


@settings(max_examples=int(os.environ.get("REPORT_EXAMPLES", 40)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_whole_reports_keep_every_promise(app, data):
    from tracker.extensions import db

    from .data import datasets, load, make_offices, make_staff

    savepoint = db.session.begin_nested()
    try:
        offices = make_offices()
        dataset = data.draw(datasets(max_requests=25, max_police=15))
        load(dataset, offices, make_staff(offices))
        for office in (None, offices["KHI"]):
            report = live_report(dataset.month, office)
            shown = {}
            for section in ("consular", "police"):
                tables = getattr(report, section)
                for table, display in zip(tables, display_tables(tables, T)):
                    shown[table.key] = display
                    if table.unit == "count":
                        check_table(table, display)
            for a, b in REPEATED:
                first, second = _shown_cell(shown, *a), _shown_cell(shown, *b)
                assert hidden(first) == hidden(second), (a, first, b, second)
    finally:
        savepoint.rollback()


# --- the attacker with a solver -------------------------------------------------------------
# A hidden cell is safe when everything published leaves it at least four possible values.
# Zeros are shown, so a hidden cell is at least 1: where a total minus the shown cells equals
# the number of hidden cells, each of them is exactly 1.


def _police_by_category(opened: dict, closed: dict | None = None,
                        active: dict | None = None) -> Table:
    closed, active = closed or {}, active or {}
    return Table("police_by_category", "Liaison cases by kind", "Kind",
                 ["Opened", "Closed", "Active at month end"],
                 [(k.label, [opened.get(k, 0), closed.get(k, 0), active.get(k, 0)])
                  for k in PoliceCategory], sensitive=True)


def _no_pinned_cell(shown, links=()) -> None:
    found = pinned(shown, links, T)
    assert not found, f"an attacker narrows these hidden cells to under four values: {found}"


def test_liaison_cases_by_kind_one_case_each_are_not_given_away():
    """Five kinds with one case opened each: the total 5 minus nothing shown is 5 for five
    hidden cells, so each was 1."""
    kinds = list(PoliceCategory)[:5]
    table = _police_by_category(opened={k: 1 for k in kinds}, active={k: 1 for k in kinds})
    [shown] = display_tables([table], T)
    assert [shown.rows[i][1] for i in range(5)] == ["<5"] * 5
    _no_pinned_cell([shown])


def test_active_at_month_end_is_not_given_away_by_the_total():
    """Active at month end: 7 homicides shown, a forced marriage and a fraud hidden, total 9:
    9 - 7 = 2 for two hidden cells."""
    table = _police_by_category(
        opened={PoliceCategory.HOMICIDE: 7},
        active={PoliceCategory.HOMICIDE: 7, PoliceCategory.FORCED_MARRIAGE: 1,
                PoliceCategory.FRAUD: 1})
    [shown] = display_tables([table], T)
    assert shown.footer[3] != "9" or shown.rows[0][3] != "7"
    _no_pinned_cell([shown])


def test_consular_opened_is_not_given_away_by_the_total(login_as):
    """Opened this month: a death, an arrest, a report of concern and ten passports; the
    total 13 minus the 10 shown is 3 for three hidden cells."""
    office = make_office(kind=OfficeKind.EMBASSY)
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    for category in ("death:notification", "arrest:arrest",
                     "report_of_concern:forced_marriage"):
        make_request(officer=officer, category=category, summary="Sensitive")
    for _ in range(10):
        make_request(officer=officer, category="passport:renewal")
    month = Month.containing(utcnow(), "Asia/Karachi")
    manager = login_as(Role.MANAGER, office=office)
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    tables = html_tables(html)
    by_category = tables["Requests by category"]
    assert [by_category.row(c.label)[0] for c in (Category.DEATH, Category.ARREST,
                                                  Category.REPORT_OF_CONCERN)] == ["<5"] * 3
    report = live_report(month, None)
    shown = display_tables(report.consular, T)
    _no_pinned_cell(shown, REPEATED)


@st.composite
def linked_police_tables(draw):
    """Liaison cases counted by kind and by country: two tables whose column totals are the
    same figures (cases per kind and country drawn first, so they agree)."""
    kinds, countries = list(PoliceCategory)[:draw(st.integers(1, 6))], list(NordicCountry)
    count = st.one_of(st.just(0), st.integers(1, 4), st.integers(0, 30))
    cube = {(k, c, m): draw(count) if draw(st.booleans()) else 0
            for k in kinds for c in countries for m in range(3)}
    by_kind = Table("police_by_category", "Liaison cases by kind", "Kind",
                    ["Opened", "Closed", "Active at month end"],
                    [(k.label, [sum(cube[(k, c, m)] for c in countries) for m in range(3)])
                     for k in kinds], sensitive=True)
    by_country = Table("police_by_country", "Liaison cases by country", "Country",
                       ["Opened", "Closed", "Active at month end"],
                       [(c.label, [sum(cube[(k, c, m)] for k in kinds) for m in range(3)])
                        for c in countries], sensitive=True)
    return [by_kind, by_country]


def _consistent(table: Table, shown) -> None:
    """What is published is true: a number is the count, "<5" is 1 to 4, "*" at least 1."""
    true = {(label, column): value for label, values in table.rows
            for column, value in zip(table.columns, values)}
    if table.row_totals:
        true.update({(label, "Total"): sum(values) for label, values in table.rows})
    if table.totals:
        true.update({("Total", c): sum(values[j] for _, values in table.rows)
                     for j, c in enumerate(table.columns)})
        true[("Total", "Total")] = sum(sum(values) for _, values in table.rows)
    for row in shown.rows + ([shown.footer] if shown.footer else []):
        for column, text in zip(shown.header[1:], row[1:]):
            value = true[(row[0], column)]
            if text == f"<{T}":
                assert 0 < value < T, (row[0], column, value, text)
            elif text == "*":
                assert value >= 1, (row[0], column, value, text)
            else:
                assert text == f"{value:,}", (row[0], column, value, text)


@settings(max_examples=int(os.environ.get("REPORT_EXAMPLES", 150)), deadline=None)
@given(section=st.one_of(tables().map(lambda t: [t]), linked_police_tables()))
def test_no_hidden_cell_can_be_narrowed_by_a_solver(section):
    """The attacker's own LP, on the published tables alone (and the totals that two tables
    share): every hidden cell keeps at least four possible values."""
    shown = display_tables(section, T)
    for table, display in zip(section, shown):
        _consistent(table, display)
    links = [(("police_by_category", "Total", m), ("police_by_country", "Total", m))
             for m in ("Opened", "Closed", "Active at month end")]
    for (position, (low, high)) in hidden_ranges(shown, links, T).items():
        assert high - low >= 3, f"{position} narrowed to {low}..{high}"


# --- charts show only what the tables show --------------------------------------------------


def _chart_points_agree_with_tables(html: str) -> int:
    """Every chart point of the report's month: drawn only if its table total is shown, and
    then the same number. Returns the points checked."""
    tables = html_tables(html)
    totals = {"Requests opened": ("Requests by category", "Opened"),
              "Resolved": ("Requests by category", "Resolved"),
              "Enquiries": ("Enquiries by topic and channel", "Total"),
              "Liaison cases opened": ("Liaison cases by kind", "Opened")}
    checked = 0
    for chart in chart_data(html)["charts"]:
        for series in chart["series"]:
            title, column = totals[series["name"]]
            shown = tables[title].total(column)
            drawn, said = series["values"][-1], series["shown"][-1]
            if hidden(shown):
                assert drawn is None, (series["name"], shown, drawn)
                assert said in (f"<{T}", "withheld"), (series["name"], said)
            else:
                assert drawn == int(shown.replace(",", "")) and said == shown
            for value, text in zip(series["values"], series["shown"]):
                assert (value is None) == (text in (f"<{T}", "withheld"))
                assert value is None or text == f"{value:,}"
            checked += 1
    return checked


def test_the_chart_hides_the_months_figure_where_the_table_hides_it(login_as):
    """Two deaths and nothing else opened: the total opened is "<5" in the table, and the
    chart's point for the month must not show 2."""
    office = make_office(kind=OfficeKind.EMBASSY)
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    for _ in range(2):
        make_request(officer=officer, category="death:notification", summary="Death")
    month = Month.containing(utcnow(), "Asia/Karachi")
    manager = login_as(Role.MANAGER, office=office)
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert html_tables(html)["Requests by category"].total("Opened") == "<5"
    consular = next(c for c in chart_data(html)["charts"] if c["section"] == "consular")
    opened = next(s for s in consular["series"] if s["name"] == "Requests opened")
    assert opened["values"][-1] is None and opened["shown"][-1] == "<5"
    assert "Requests opened 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, &lt;5" in html
    assert _chart_points_agree_with_tables(html) == 4


def test_a_withheld_total_is_not_drawn_either():
    """A total withheld as "*" (its column has nothing else left to withhold): the chart's
    point is a gap and its text says withheld."""
    from tracker.reports.charts import chart_data as chart_json
    from tracker.reports.charts import trend_table
    from tracker.reports.render import display_section

    by_kind = _police_by_category(opened={PoliceCategory.HOMICIDE: 1,
                                          PoliceCategory.FRAUD: 1})
    trends = {"labels": ["Sep 2026", "Oct 2026"], "police_opened": [7, 2]}
    tables, chart = display_section([by_kind], T, trend_table(trends, "police"))
    total = tables[0].footer[1]
    assert hidden(total)
    [series] = chart_json([chart])["charts"][0]["series"]
    assert series["values"] == [7, None]
    assert series["shown"] == ["7", "withheld" if total == "*" else "<5"]
