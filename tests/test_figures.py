"""Figures: parsing, comparing within the precision stated, arithmetic in claims."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.text.figures import (
    check_arithmetic,
    compare_figures,
    figure_changes,
    find_quantities,
)


@pytest.mark.parametrize(("text", "kind", "value", "unit"), [
    ("JPY 5.4 trillion", "amount", 5.4e12, "JPY"),
    ("6,821.9 billion yen", "amount", 6.8219e12, "JPY"),
    ("1.421 trillion yen", "amount", 1.421e12, "JPY"),
    ("¥11 trillion", "amount", 11e12, "JPY"),
    ("6.8 trillion-yen", "amount", 6.8e12, "JPY"),
    ("$51 billion", "amount", 51e9, "USD"),
    ("over 1.5 billion dollars", "amount", 1.5e9, "USD"),
    ("26%", "percent", 26.0, "%"),
    ("26.3 percent", "percent", 26.3, "%"),
    ("26.3 pct", "percent", 26.3, "%"),
    ("2 per cent", "percent", 2.0, "%"),
    ("FY 2022", "fiscal-year", 2022.0, None),
    ("FY2027", "fiscal-year", 2027.0, None),
    ("fiscal 2027", "fiscal-year", 2027.0, None),
    ("fiscal year 2023", "fiscal-year", 2023.0, None),
    ("in 2030", "year", 2030.0, None),
    ("January 11, 2023", "date", 20230111.0, None),
    ("13 January 2023", "date", 20230113.0, None),
    ("May 2022", "date", 20220500.0, None),
])
def test_parsing(text: str, kind: str, value: float, unit: str | None) -> None:
    (quantity,) = find_quantities(text)
    assert (quantity.kind, quantity.unit) == (kind, unit)
    assert math.isclose(quantity.value, value)


def test_counts_and_ordinals() -> None:
    (count,) = find_quantities("which involved seven of the 10 ASEAN members")
    assert (count.kind, count.value, count.whole) == ("count", 7.0, 10.0)
    (rank,) = find_quantities("rising for the 11th straight year")
    assert (rank.text, rank.kind, rank.value) == ("11th", "ordinal", 11.0)


def test_a_changed_ordinal_is_a_changed_figure() -> None:
    assert figure_changes("built in the 14th century", "built in the 21th century") == [
        ("14th", "21th")]
    assert figure_changes("第14回の会議", "第15回の会議") == [("第14", "第15")]


@pytest.mark.parametrize(("written", "kind", "value", "unit"), [
    ("５兆円", "amount", 5e12, "JPY"),
    ("ＧＤＰ比２％", "percent", 2.0, "%"),
    ("1.234.567,5 €", "amount", 1234567.5, "EUR"),
    ("1\u202f234,5 euros", "amount", 1234.5, "EUR"),
    ("1'234'567 dollars", "amount", 1234567.0, "USD"),
    ("4000億円", "amount", 4e11, "JPY"),
    ("€12", "amount", 12.0, "EUR"),
])
def test_figures_in_the_forms_people_write_them(written: str, kind: str, value: float,
                                                unit: str) -> None:
    found = [q for q in find_quantities(written) if q.kind != "number"]
    assert [(q.kind, q.value, q.unit) for q in found] == [(kind, value, unit)]


def test_full_width_digits_keep_their_offsets() -> None:
    text = "予算は２６．３％増えた"
    (percent,) = find_quantities(text)
    assert text[percent.start:percent.end] == percent.text == "２６．３％"
    assert percent.value == 26.3
    assert figure_changes(text, "予算は２０．３％増えた") == [("２６．３％", "２０．３％")]


def test_qualifiers_open_or_widen_the_interval() -> None:
    more, about = find_quantities("more than 10 trillion and about 8.9 trillion")
    assert (more.qualifier, more.low, more.high) == ("above", 10e12, math.inf)
    assert about.qualifier == "about"
    assert about.low < 8.9e12 * 0.96 and about.high > 8.9e12 * 1.04


@pytest.mark.parametrize(("claim", "passage", "status"), [
    ("JPY 6.8 trillion", "6,821.9 billion yen", "consistent"),
    ("26%", "26.3 percent", "consistent"),
    ("26%", "up 20% from a year earlier", "inconsistent"),
    ("more than 10 trillion", "about ¥8.9 trillion", "inconsistent"),
    ("more than 10 trillion", "about ¥11 trillion", "consistent"),
    ("JPY 5.4 trillion", "¥5.4 trillion", "consistent"),
    ("FY 2023", "fiscal 2023", "consistent"),
    ("FY 2023", "fiscal 2024", "inconsistent"),
    ("seven of the 10", "Of Asean’s 10 members, seven of the 10 came on board", "consistent"),
    ("$51 billion", "6.8 trillion yen", "not-in-passage"),  # other currency: incomparable
    ("In December 2022", "on January 11, 2023", "inconsistent"),
    ("In December 2022", "on December 23, 2022", "consistent"),
])
def test_comparing_within_stated_precision(claim: str, passage: str, status: str) -> None:
    (check,) = compare_figures(claim, passage)
    assert check.status == status


def test_a_claim_checked_against_its_source_figure_by_figure() -> None:
    claim = ("In December 2022, Japanese Cabinet passed the JPY 6.8 trillion defense budget "
             "for FY 2023, a year-on-year increase of 26%")
    passage = "The fiscal 2023 defense budget will increase 26.3 pct to 6,821.9 billion yen."
    assert [(c.claim.text, c.status, c.passage.text if c.passage else None)
            for c in compare_figures(claim, passage)] == [
        ("December 2022", "not-in-passage", None),
        ("JPY 6.8 trillion", "consistent", "6,821.9 billion yen"),
        ("FY 2023", "consistent", "fiscal 2023"),
        ("26%", "consistent", "26.3 pct"),
    ]


@pytest.mark.parametrize(("text", "stated", "actual", "status"), [
    ("it plans to double the defense budget from JPY 5.4 trillion in FY 2022 to more than "
     "10 trillion in FY 2027", "double", "x1.85", "loose"),
    ("the budget went from 5.4 trillion yen to 6.8 trillion yen, an increase of 26%",
     "26%", "+25.9%", "consistent"),
    ("spending rose from $10 billion to $13 billion, an increase of 50%",
     "50%", "+30.0%", "inconsistent"),
    ("output doubled from 4.1 million to 8.2 million tonnes", "doubled", "x2.00",
     "consistent"),
    ("it will triple from 5 billion to 9 billion", "triple", "x1.80", "inconsistent"),
])
def test_arithmetic_inside_a_claim(text: str, stated: str, actual: str, status: str) -> None:
    (finding,) = check_arithmetic(text)
    assert (finding.stated, finding.actual, finding.status) == (stated, actual, status)


def test_no_arithmetic_without_a_from_and_to() -> None:
    assert check_arithmetic("a year-on-year increase of 26% to JPY 6.8 trillion") == []


def test_figure_changes_between_versions() -> None:
    before = "up 26.3 percent from 5.4 trillion yen, rising for the 11th straight year"
    assert figure_changes(before, before) == []
    assert figure_changes(before, before.replace("26.3", "20.3")) == [
        ("26.3 percent", "20.3 percent")]
    assert figure_changes(before, "up sharply from 5.4 trillion yen") == [
        ("26.3 percent", None), ("11th", None)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parsing_never_raises_and_spans_are_honest(text: str) -> None:
    for quantity in find_quantities(text):
        assert text[quantity.start:quantity.end] == quantity.text
        assert quantity.low <= quantity.value <= quantity.high or quantity.kind == "date"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       st.sampled_from(["", " million", " billion", " trillion"]),
       st.sampled_from(["JPY ", "¥", "$", ""]), st.sampled_from(["", " yen"]))
def test_any_written_amount_parses_to_its_value(
        number: object, scale: str, prefix: str, suffix: str) -> None:
    written = f"{number:,}" if scale else f"{number}"
    text = f"the sum of {prefix}{written}{scale}{suffix} was approved"
    multiplier = {"": 1, " million": 1e6, " billion": 1e9, " trillion": 1e12}[scale]
    quantities = [q for q in find_quantities(text) if q.kind in ("amount", "number", "year")]
    assert len(quantities) == 1
    assert math.isclose(quantities[0].value, float(str(number)) * multiplier, rel_tol=1e-9)
