"""Evidence photos: checked and re-encoded on the server, stored through the storage API.

A photo comes from the phone already resized (``static/js/photos.js``); the server still checks
what it is (by its content, not its name), refuses what is too large or not a photo with a
Chinese reason naming the file, re-encodes it as JPEG — which drops EXIF: a phone's photo
carries its GPS position — with a thumbnail, and stores both through ``STORAGES["photos"]``.

``photo_prepare`` does the checking and encoding in memory (form validation calls it, so a bad
photo is an error beside the field and nothing is written); ``photo_attach`` stores a prepared
photo for a subject inside the caller's transaction; ``photo_delete`` removes one, audited.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.services import audit_record
from grids.scoping import LEADER, user_scope

from .models import Household, Photo

#: What Pillow must find inside the file (MPO: the JPEG some phones write).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
#: Above this many pixels a photo is refused before it is decoded (a decompression bomb).
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class PreparedPhoto:
    name: str
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _jpeg(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def photo_prepare(upload) -> PreparedPhoto:
    """Check one uploaded file and encode it (photo and thumbnail); ValidationError in Chinese."""
    name = getattr(upload, "name", "") or _("照片")
    limit = settings.PHOTO_MAX_MB
    size = getattr(upload, "size", None)
    if size is not None and size > limit * 1024 * 1024:
        raise ValidationError(
            _(
                "照片「{name}」有 {size:.1f} MB，超过 {limit} MB 的上限；请在手机上缩小后再传。"
            ).format(name=name, size=size / 1024 / 1024, limit=limit),
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("照片「{name}」是空文件。").format(name=name), code="empty")
    not_photo = ValidationError(
        _("「{name}」不是可识别的照片：只接受 JPEG、PNG 或 WebP 格式的图片。").format(name=name),
        code="not_photo",
    )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise not_photo
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(
                _("照片「{name}」像素过多（{w}×{h}）；请在手机上缩小后再传。").format(
                    name=name, w=image.width, h=image.height
                ),
                code="too_many_pixels",
            )
        if image.format in ("JPEG", "MPO"):
            # Decode at the smallest scale still at least as large as what is kept: a 48 MP
            # phone photo never needs its 150 MB of pixels in a web worker.
            side = settings.PHOTO_LONG_SIDE
            image.draft("RGB", (side, side))
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        elif image.mode == "L":
            image = image.convert("RGB")
        full, width, height = _jpeg(image, settings.PHOTO_LONG_SIDE, 82)
        thumb, _w, _h = _jpeg(image, settings.PHOTO_THUMB_SIDE, 75)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise not_photo from exc
    return PreparedPhoto(name=name, image=full, thumbnail=thumb, width=width, height=height)


def photo_prepare_all(uploads) -> list[PreparedPhoto]:
    """Every file of one upload field: all checked, every bad one named, nothing half-taken."""
    uploads = list(uploads or [])
    if len(uploads) > settings.PHOTO_MAX_PER_SUBJECT:
        raise ValidationError(
            _("一次最多 {n} 张照片，这次选了 {m} 张。").format(
                n=settings.PHOTO_MAX_PER_SUBJECT, m=len(uploads)
            ),
            code="too_many",
        )
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(photo_prepare(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return prepared


def photo_attach(
    *, actor, household: Household, subject: str, photos, department=None
) -> list[Photo]:
    """Store prepared photos as the evidence of ``subject`` (``visit:12``…) of ``household``.

    Called by the service that records the subject, inside its transaction: the photos and
    what they document are written together. The caller has checked the actor's scope."""
    photos = list(photos or [])
    if not photos:
        return []
    already = Photo.objects.filter(subject=subject).count()
    if already + len(photos) > settings.PHOTO_MAX_PER_SUBJECT:
        raise ValidationError(
            {
                "photos": _("每项最多 {n} 张照片，已有 {m} 张。").format(
                    n=settings.PHOTO_MAX_PER_SUBJECT, m=already
                )
            }
        )
    stored, written = [], []
    storage = Photo._meta.get_field("image").storage
    try:
        with transaction.atomic():
            for prepared in photos:
                key = f"{household.pk}/{uuid.uuid4().hex}"
                photo = Photo(
                    household=household,
                    subject=subject,
                    department=department,
                    width=prepared.width,
                    height=prepared.height,
                    size=len(prepared.image),
                    sha256=hashlib.sha256(prepared.image).hexdigest(),
                    taken_by=actor,
                )
                photo.image.save(f"{key}.jpg", ContentFile(prepared.image), save=False)
                written.append(photo.image.name)
                photo.thumbnail.save(f"{key}_t.jpg", ContentFile(prepared.thumbnail), save=False)
                written.append(photo.thumbnail.name)
                photo.save()
                stored.append(photo)
            audit_record(
                actor=actor,
                action="photo.add",
                obj=stored[0],
                after={"subject": subject, "photos": [p.pk for p in stored]},
                tree_id=household.grid.tree_id,
            )
    except BaseException:
        # Files are not transactional: what this call wrote goes with its rows. (Callers
        # attach photos last in their transaction, so little can roll back after this.)
        for name in written:
            storage.delete(name)
        raise
    return stored


def mark_deletable(user, photos) -> list[Photo]:
    """Set ``photo.deletable`` for a page's delete buttons (no query: the scope is cached;
    the photos come with their household's grid)."""
    scope = user_scope(user)
    for photo in photos:
        photo.deletable = photo.taken_by_id == user.pk or scope.covers(
            photo.household.grid, roles=[LEADER]
        )
    return photos


def may_delete(actor, photo: Photo) -> bool:
    """The one who took it, or a leader over the household."""
    if photo.taken_by_id == actor.pk:
        return Photo.objects.visible_to(actor).filter(pk=photo.pk).exists()
    return user_scope(actor).covers(photo.household.grid, roles=[LEADER])


@transaction.atomic
def photo_delete(*, actor, photo: Photo, reason: str = "") -> None:
    """Remove a photo (and its files, once committed); audited with what it was."""
    photo = Photo.objects.select_related("household__grid").get(pk=photo.pk)
    if not may_delete(actor, photo):
        raise PermissionDenied(_("只有上传人或本户所在网格的网格长可以删除照片。"))
    audit_record(
        actor=actor,
        action="photo.delete",
        obj=photo,
        before={
            "subject": photo.subject,
            "sha256": photo.sha256,
            "size": photo.size,
            "taken_by": photo.taken_by_id,
            "created_at": photo.created_at,
        },
        reason=reason,
        tree_id=photo.household.grid.tree_id,
    )
    storage, names = photo.image.storage, [photo.image.name, photo.thumbnail.name]
    photo.delete()

    def remove_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
