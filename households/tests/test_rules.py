"""The rulebook is the one spec: every entry point's field list comes from it."""

from households import forms, importing, rules
from households.admin import PersonAdminForm
from households.api import serializers as s


def test_serializers_write_exactly_the_editable_fields():
    assert set(s.PersonFieldsSerializer().fields) == set(rules.PERSON_EDITABLE)
    assert set(s.HouseholdUpdateSerializer().fields) == set(rules.HOUSEHOLD_EDITABLE)
    assert set(s.HouseholdCreateSerializer().fields) == {*rules.HOUSEHOLD_EDITABLE, "grid", "head"}


def test_forms_admin_and_importer_take_the_spec():
    assert forms.PersonForm.PERSON_FIELDS == rules.PERSON_DETAILS
    assert forms.HouseholdCreateForm.HOUSEHOLD_FIELDS == rules.HOUSEHOLD_DETAILS
    assert list(PersonAdminForm._meta.fields) == list(rules.PERSON_EDITABLE)
    editable = importing._PERSON_FIELDS[6 : 6 + len(rules.PERSON_EDITABLE)]
    assert tuple(editable) == rules.PERSON_EDITABLE
    assert set(rules.PERSON_DEFAULTS) <= set(rules.PERSON_EDITABLE)


def test_person_rules_name_every_bad_field():
    errors = rules.person_errors(
        {"name": "", "health": "healthy", "disability_grade": "2", "migrant_months": 13}
    )
    assert set(errors) == {"name", "disability_grade", "migrant_months"}
    assert rules.person_errors({"relation": "cousin"})["relation"].startswith("“cousin”")


def test_household_rules_and_head_count():
    errors = rules.household_errors(
        {"number": "", "household_type": "x", "platform_registered_on": "2026-01-01"}
    )
    assert set(errors) == {"number", "household_type", "platform_registered_on"}
    assert rules.head_count_error("H1", 1) is None
    assert "没有户主" in rules.head_count_error("H1", 0)
    assert "2 名户主" in rules.head_count_error("H1", 2)
    assert rules.room_error("一组", rules.hard_limit() - 1) is None
    assert "上限" in rules.room_error("一组", rules.hard_limit())
