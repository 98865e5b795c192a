from pathlib import Path

import pytest

from factcheck import DEFAULT_SCALE
from factcheck.errors import ConfigError, UnknownRating
from factcheck.scale import AVERITEC_LABELS, load_scale


def test_default_scale_labels_in_order() -> None:
    assert [r.slug for r in DEFAULT_SCALE] == [
        "true", "mostly-true", "misleading", "mostly-false", "false", "unverified",
        "not-checkable"]


def test_every_label_is_defined_and_mapped() -> None:
    for rating in DEFAULT_SCALE:
        assert rating.slug == rating.slug.lower()
        assert rating.definition.endswith(".")
        assert rating.averitec in AVERITEC_LABELS
    values = [r.value for r in DEFAULT_SCALE if r.value is not None]
    assert values == sorted(values, reverse=True)
    assert (DEFAULT_SCALE.best, DEFAULT_SCALE.worst) == (max(values), min(values))


@pytest.mark.parametrize(("slug", "averitec"), [
    ("true", "Supported"), ("mostly-false", "Refuted"),
    ("misleading", "Conflicting Evidence/Cherrypicking"), ("unverified", "Not Enough Evidence"),
])
def test_averitec_mapping(slug: str, averitec: str) -> None:
    assert DEFAULT_SCALE.get(slug).averitec == averitec


def test_not_checkable_is_the_uncheckable_label() -> None:
    assert DEFAULT_SCALE.not_checkable.slug == "not-checkable"
    assert [r.slug for r in DEFAULT_SCALE if not r.checkable] == ["not-checkable"]


def test_unknown_rating_names_the_scale() -> None:
    with pytest.raises(UnknownRating, match=r"pants-on-fire.*mostly-true"):
        DEFAULT_SCALE.get("pants-on-fire")


TEAM_SCALE = """
name: politifact-like
best: 6
worst: 1
ratings:
  - {slug: "true", name: "True", definition: "Accurate.", value: 6, averitec: Supported}
  - {slug: pants-on-fire, name: "Pants on Fire", definition: "Ridiculous.", value: 1,
     averitec: Refuted}
  - {slug: opinion, name: Opinion, definition: "Not a fact.", value: null,
     averitec: Not Enough Evidence, checkable: false}
"""


def test_a_team_brings_its_own_scale(tmp_path: Path) -> None:
    path = tmp_path / "scale.yaml"
    path.write_text(TEAM_SCALE)
    scale = load_scale(path)
    assert scale.name == "politifact-like"
    assert scale.get("pants-on-fire").value == 1
    assert scale.not_checkable.slug == "opinion"


@pytest.mark.parametrize(("edit", "message"), [
    (("value: 6", "value: 9"), "outside 1..6"),
    (("averitec: Supported", "averitec: Yes"), "AVeriTeC label"),
    (("checkable: false", "checkable: true"), "checkable: false"),
    (("name: politifact-like\n", ""), "missing 'name'"),
    (("definition: \"Accurate.\", ", ""), r"ratings\[0\]: missing 'definition'"),
])
def test_a_bad_scale_file_is_named(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    path = tmp_path / "scale.yaml"
    path.write_text(TEAM_SCALE.replace(*edit, 1))
    with pytest.raises(ConfigError, match=message) as info:
        load_scale(path)
    assert str(path) in str(info.value)
