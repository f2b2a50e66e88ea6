"""Evidence photos: checked by content, re-encoded without EXIF, stored through the storage API,
served only to those who may see the household, deleted with an audit row."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.models import AuditLog
from households.models import Photo
from monitoring.models import Visit
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def _image(fmt="JPEG", size=(2000, 1500), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif and fmt == "JPEG":
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {2: (25.0, 36.0, 0.0), 4: (99.0, 17.0, 0.0)}  # GPS position
        image.save(out, fmt, exif=tags)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _visit_data(**extra):
    data = {
        "visited_on": str(timezone.localdate()),
        "mode": "in_person",
        "income_change": "stable",
        **dict.fromkeys(("food", "clothing", "education", "housing", "water"), "secure"),
        "medical": "secure",
    }
    data.update(extra)
    return data


def _post_visit(client, household, files):
    return client.post(
        f"/monitoring/households/{household.pk}/visit/", {**_visit_data(), "photos": files}
    )


def test_a_visit_with_photos_stores_them_reencoded_without_exif(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    files = [
        SimpleUploadedFile("a.jpg", _image(), content_type="image/jpeg"),
        SimpleUploadedFile("b.png", _image("PNG", (300, 200)), content_type="image/png"),
    ]
    response = _post_visit(client, household, files)
    assert response.status_code == 302
    visit = Visit.objects.get()
    photos = list(Photo.objects.order_by("id"))
    assert [p.subject for p in photos] == [f"visit:{visit.pk}"] * 2
    first = photos[0]
    assert (first.width, first.height) == (1600, 1200)
    with first.image.open("rb") as handle:
        stored = Image.open(handle)
        stored.load()
    assert stored.format == "JPEG"
    assert not stored.getexif()  # no GPS position, no phone model
    with first.thumbnail.open("rb") as handle:
        assert max(Image.open(handle).size) == 320
    assert AuditLog.objects.filter(action="photo.add").count() == 1
    # The household page shows them, each a scoped link.
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert f"/photos/{first.pk}/thumb.jpg" in page


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("x.jpg", b"not a photo at all", "不是可识别的照片"),
        ("x.gif", None, "不是可识别的照片"),
        ("x.jpg", b"", "空文件"),
    ],
)
def test_a_bad_photo_is_refused_by_name_and_nothing_is_written(
    grid_tree, client, name, content, reason
):
    if content is None:
        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, "GIF")
        content = out.getvalue()
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    good = SimpleUploadedFile("good.jpg", _image(), content_type="image/jpeg")
    bad = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = _post_visit(client, household, [good, bad])
    assert response.status_code == 200
    text = response.content.decode()
    assert reason in text
    if content:
        assert name in text
    assert Visit.objects.count() == 0
    assert Photo.objects.count() == 0


def test_too_large_and_too_many_photos_are_refused(grid_tree, client, settings):
    settings.PHOTO_MAX_MB = 1
    settings.PHOTO_MAX_PER_SUBJECT = 2
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10))
    response = _post_visit(client, household, [big])
    assert "超过 1 MB 的上限" in response.content.decode()
    three = [SimpleUploadedFile(f"{n}.jpg", _image(size=(40, 40))) for n in range(3)]
    response = _post_visit(client, household, three)
    assert "一次最多 2 张照片" in response.content.decode()
    assert Photo.objects.count() == 0


def test_photos_are_served_only_to_those_who_see_the_household(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    _post_visit(client, household, [SimpleUploadedFile("a.jpg", _image())])
    photo = Photo.objects.get()
    response = client.get(f"/photos/{photo.pk}/full.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(f"/photos/{photo.pk}/thumb.jpg").status_code == 200
    assert client.get(f"/photos/{photo.pk}/other.jpg").status_code == 404
    # Another village's leader, the other township, a department, nobody: not found.
    for user in (grid_tree.v3_leader, grid_tree.dept):
        client.force_login(user)
        assert client.get(f"/photos/{photo.pk}/full.jpg").status_code == 404
    client.logout()
    assert client.get(f"/photos/{photo.pk}/full.jpg").status_code == 302
    # Not public media either.
    assert client.get(f"/media/photos/{photo.image.name}").status_code == 404


def test_deleting_a_photo_is_audited_and_removes_the_files(
    grid_tree, client, django_capture_on_commit_callbacks
):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    _post_visit(client, household, [SimpleUploadedFile("a.jpg", _image())])
    photo = Photo.objects.get()
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)
    # The township leader did not take it, but leads a grid over the household: may delete.
    client.force_login(grid_tree.t1_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/photos/{photo.pk}/delete/", {"reason": "拍错了"}, follow=True)
    assert "照片已删除" in response.content.decode()
    assert not Photo.objects.exists()
    assert not storage.exists(name)
    row = AuditLog.objects.get(action="photo.delete")
    assert row.before["sha256"] == photo.sha256
    assert row.reason == "拍错了"


def test_a_member_may_not_delete_someone_elses_photo(grid_tree, client, make_user):
    from grids import services
    from grids.models import Role

    other = make_user("g1b")
    services.assignment_create(
        actor=grid_tree.superuser, user=other, grid=grid_tree.g1, role=Role.MEMBER
    )
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    _post_visit(client, household, [SimpleUploadedFile("a.jpg", _image())])
    photo = Photo.objects.get()
    client.force_login(other)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert f"/photos/{photo.pk}/delete/" not in page
    response = client.post(f"/photos/{photo.pk}/delete/", follow=True)
    assert "只有上传人或本户所在网格的网格长可以删除照片" in response.content.decode()
    assert Photo.objects.count() == 1
    assert not AuditLog.objects.filter(action="photo.delete").exists()
