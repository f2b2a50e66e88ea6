"""The demo county's households and members: synthetic, shaped like rural Weixi.

39,154 households at scale 1 (about 9.1 per group grid, none over the hard limit), 35,972 of
them registered on the relief platform, members with plausible ages, labour capacity, health and
schooling. Everything comes from the seed, so the same seed gives the same county (ID numbers
included; only the Fernet ciphertexts differ, they carry a random IV).
"""

import datetime
import random

from core.seeding import SeedContext, SeedStep
from grids import selectors as grid_selectors
from grids.demo import GIVEN, SURNAMES, _split
from grids.models import GridNode, Level

from . import bulkwrite, idnumbers
from .idstore import protect_canonical
from .models import (
    DisabilityGrade,
    Health,
    Household,
    HouseholdType,
    LabourCapacity,
    Person,
    Relation,
    Schooling,
    SocialAssistance,
)

HOUSEHOLDS = 39154
PLATFORM_REGISTERED = 35972
REGION = "533423"


def region_for(county_code: str) -> str:
    """The region prefix of a seeded county's synthetic ID numbers: its own code when that is a
    real division code (the demo county: 533423), otherwise a Yunnan-looking one derived from
    it (benchmark counties 99000x → 53000x), so two seeded counties never draw the same numbers.
    """
    code = (county_code or REGION)[:6]
    if len(code) == 6 and code.isdigit() and idnumbers.region_valid(code):
        return code
    return "53" + code[-4:].rjust(4, "0")


#: Ages are computed against a fixed day, so the seed gives the same people on any day.
REFERENCE_DAY = datetime.date(2025, 6, 30)
BATCH = 2000

ETHNICITIES = [
    ("傈僳族", 57),
    ("纳西族", 13),
    ("汉族", 11),
    ("藏族", 8),
    ("白族", 5),
    ("彝族", 3),
    ("普米族", 2),
    ("怒族", 1),
]
MIGRANT_PLACES = ["昆明", "大理", "丽江", "香格里拉", "广东东莞", "浙江宁波", "福建泉州", "上海"]


def _name(rng, surname=None):
    return (surname or rng.choice(SURNAMES)) + "".join(
        rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
    )


def _birth(rng, age):
    return REFERENCE_DAY - datetime.timedelta(days=int(age * 365.25) + rng.randint(0, 364))


def _members(rng) -> list[tuple[str, int, str, str | None]]:
    """(relation, age, sex, surname or None) of one household, head first."""
    head_age = int(rng.triangular(24, 88, 50))
    head_sex = "male" if rng.random() < 0.85 else "female"
    surname = rng.choice(SURNAMES)
    other = "female" if head_sex == "male" else "male"
    people = [(Relation.HEAD, head_age, head_sex, surname)]
    if rng.random() < (0.85 if head_age < 70 else 0.55):
        people.append((Relation.SPOUSE, max(20, head_age + rng.randint(-6, 4)), other, None))
    if 24 <= head_age <= 62:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
            age = head_age - rng.randint(20, 34)
            if age >= 0:
                people.append((Relation.CHILD, age, rng.choice(("male", "female")), surname))
        if head_age < 52 and rng.random() < 0.25:
            people.append(
                (
                    Relation.PARENT,
                    min(95, head_age + rng.randint(22, 30)),
                    rng.choice(("male", "female")),
                    surname if rng.random() < 0.5 else None,
                )
            )
    elif head_age > 62 and rng.random() < 0.45:
        son_age = head_age - rng.randint(22, 32)
        people.append((Relation.CHILD, son_age, "male", surname))
        people.append((Relation.CHILD_IN_LAW, son_age + rng.randint(-4, 2), "female", None))
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            age = son_age - rng.randint(20, 32)
            if age >= 0:
                people.append((Relation.GRANDCHILD, age, rng.choice(("male", "female")), surname))
    return people


def _schooling(rng, age):
    if age < 6:
        return Schooling.PRESCHOOL
    if age < 12:
        return Schooling.PRIMARY
    if age < 15:
        return Schooling.DROPOUT if rng.random() < 0.003 else Schooling.JUNIOR
    if age < 18:
        r = rng.random()
        return (
            Schooling.SENIOR
            if r < 0.45
            else Schooling.VOCATIONAL
            if r < 0.85
            else (Schooling.NOT_IN_SCHOOL)
        )
    if age < 22 and rng.random() < 0.25:
        return Schooling.COLLEGE
    return Schooling.NOT_IN_SCHOOL


def _health(rng, age):
    r = rng.random()
    if r < 0.045:
        return Health.DISABLED, rng.choices(DisabilityGrade.values, weights=(1, 2, 3, 4))[0]
    if r < 0.045 + 0.008 + age * 0.0003:
        return Health.SERIOUS, ""
    if r < 0.06 + age * 0.0035:
        return Health.CHRONIC, ""
    return Health.HEALTHY, ""


def _labour(rng, age, health, grade, schooling):
    if age < 16 or schooling not in (Schooling.NOT_IN_SCHOOL, Schooling.DROPOUT):
        return LabourCapacity.NONE
    if health == Health.DISABLED and grade in ("1", "2"):
        return LabourCapacity.LOST
    if health == Health.SERIOUS:
        return LabourCapacity.LOST if rng.random() < 0.5 else LabourCapacity.WEAK
    if age >= 70:
        return LabourCapacity.LOST if rng.random() < 0.5 else LabourCapacity.NONE
    if age >= 60:
        r = rng.random()
        return (
            LabourCapacity.WEAK
            if r < 0.6
            else LabourCapacity.ORDINARY
            if r < 0.85
            else (LabourCapacity.LOST)
        )
    if health != Health.HEALTHY and rng.random() < 0.5:
        return LabourCapacity.WEAK
    return LabourCapacity.SKILLED if rng.random() < 0.15 else LabourCapacity.ORDINARY


def seed_households(ctx: SeedContext) -> None:
    """Create the county's households and members in bounded batches."""
    rng = random.Random(ctx.seed + 20)
    region = region_for(ctx.code)
    tree_id = ctx.state["tree_id"]
    grids = list(
        GridNode.objects.filter(tree_id=tree_id, level=Level.GROUP)
        .order_by("code")
        .values_list("pk", "code", "village_group")
    )
    contacts = grid_selectors.holders_by_grid(
        tree_id=tree_id, level=Level.GROUP, field="user__first_name"
    )
    total = round(HOUSEHOLDS * ctx.scale)
    # ~9.1 per grid with some spread; the weights keep every grid far below the hard limit.
    per_grid = _split(total, [rng.uniform(0.6, 1.4) for _ in grids])
    registered_total = min(total, round(PLATFORM_REGISTERED * ctx.scale))
    registered = set(rng.sample(range(total), registered_total))
    ethnicities = [e for e, _w in ETHNICITIES]
    ethnicity_weights = [w for _e, w in ETHNICITIES]

    numbers_used: set[str] = set()
    existing = Person.objects.exists()
    households, people, made_households, made_people = [], [], 0, 0

    def flush():
        """Write the batch (``bulkwrite``: COPY on PostgreSQL, about three times faster here
        than ``bulk_create``, which spent most of its time preparing each field value)."""
        nonlocal made_households, made_people
        bulkwrite.insert_objects(Household, households, return_pks=True)
        if households and households[0].pk is None:  # backends without RETURNING
            pks = dict(
                Household.objects.filter(number__in=[h.number for h in households]).values_list(
                    "number", "pk"
                )
            )
            for h in households:
                h.pk = pks[h.number]
        for person in people:
            person.household_id = person.household.pk
        bulkwrite.insert_objects(Person, people)
        made_households += len(households)
        made_people += len(people)
        households.clear()
        people.clear()

    index = 0
    for (grid_pk, code, village_group), count in zip(grids, per_grid, strict=True):
        for k in range(1, count + 1):
            is_registered = index in registered
            index += 1
            kind = rng.random()
            members = _members(rng)
            ethnicity = rng.choices(ethnicities, ethnicity_weights)[0]
            assistance = SocialAssistance.NONE
            if len(members) == 1 and members[0][1] >= 60 and rng.random() < 0.4:
                assistance = SocialAssistance.TEKUN
            elif rng.random() < 0.09:
                assistance = SocialAssistance.DIBAO
            head_name = _name(rng, members[0][3])
            household = Household(
                number=f"{code}{k:03d}",
                grid_id=grid_pk,
                village_group=village_group,
                address=f"{village_group}{rng.randint(1, 120)}号",
                household_type=(
                    HouseholdType.LIFTED
                    if kind < 0.36
                    else HouseholdType.LIFTED_NO_POLICY
                    if kind < 0.38
                    else HouseholdType.ORDINARY
                ),
                head_name=head_name,
                phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
                if rng.random() < 0.85
                else "",
                platform_registered=is_registered,
                platform_registered_on=(
                    datetime.date(2022, 6, 1) + datetime.timedelta(days=rng.randint(0, 1100))
                    if is_registered
                    else None
                ),
                contact_name=contacts.get(grid_pk, ""),
            )
            households.append(household)
            for relation, age, sex, surname in members:
                birth = _birth(rng, age)
                while True:
                    number = idnumbers.generate(rng, region=region, birth=birth, sex=sex)
                    if number not in numbers_used:
                        break
                numbers_used.add(number)
                stored = protect_canonical(number)
                schooling = _schooling(rng, age)
                health, grade = _health(rng, age)
                labour = _labour(rng, age, health, grade, schooling)
                migrant = (
                    18 <= age <= 50
                    and labour in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)
                    and rng.random() < 0.35
                )
                people.append(
                    Person(
                        household=household,
                        name=head_name if relation == Relation.HEAD else _name(rng, surname),
                        relation=relation,
                        sex=sex,
                        birth_date=birth,
                        ethnicity=ethnicity if rng.random() < 0.9 else rng.choice(ethnicities),
                        health=health,
                        disability_grade=grade,
                        labour_capacity=labour,
                        schooling=schooling,
                        medical_insurance=rng.random() < 0.99,
                        pension_insurance=age >= 16
                        and schooling == Schooling.NOT_IN_SCHOOL
                        and rng.random() < 0.88,
                        social_assistance=assistance,
                        migrant_place=rng.choice(MIGRANT_PLACES) if migrant else "",
                        migrant_months=rng.randint(3, 12) if migrant else 0,
                        **stored.fields(),
                    )
                )
            if len(households) >= BATCH:
                _drop_taken(people, existing, region)
                flush()
    _drop_taken(people, existing, region)
    flush()
    ctx.state["households"] = made_households
    ctx.log(f"  农户：{made_households} 户，{made_people} 人；纳入救助平台 {registered_total} 户")


def _drop_taken(people, existing, region):
    """Another county in the same database may hold a synthetic number drawn here: skip it.

    (Only when persons existed before this run: the demo county alone is unique by
    construction.) Checked per batch against the unique hash index.
    """
    if not existing or not people:
        return
    taken = set(
        Person.objects.filter(id_hash__in=[p.id_hash for p in people]).values_list(
            "id_hash", flat=True
        )
    )
    if taken:
        people[:] = [p for p in people if p.id_hash not in taken or p.relation == Relation.HEAD]
        heads_taken = [p for p in people if p.id_hash in taken]
        for p in heads_taken:  # a head keeps the household: draw a fresh number for them
            redraw = random.Random(p.id_hash)
            while True:
                number = idnumbers.generate(redraw, region=region, birth=p.birth_date, sex=p.sex)
                stored = protect_canonical(number)
                if not Person.objects.filter(id_hash=stored.hash).exists():
                    break
            for field, value in stored.fields().items():
                setattr(p, field, value)


def purge_households(tree_id: int) -> None:
    """Delete a county's persons and households (set-based; nothing else points at them yet)."""
    persons = Person.objects.filter(household__grid__tree_id=tree_id)
    persons._raw_delete(persons.db)
    households = Household.objects.filter(grid__tree_id=tree_id)
    households._raw_delete(households.db)


STEP = SeedStep(order=20, name="households", seed=seed_households, purge=purge_households)
