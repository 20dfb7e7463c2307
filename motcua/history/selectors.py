"""Reads of the history imports: who may import, the batches, a batch's rejected rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles
from motcua.statistics.permissions import readable_agencies

from .models import ImportBatch, ImportRejection

NO_SUCH_BATCH = _("No such import.")
REJECTIONS_PER_PAGE = 50
LISTED = 50


def may_import(user: AnyUser) -> bool:
    """Tell whether ``user`` may import and read imports: a superuser, or a statistician who
    reads the whole province (held at the provincial People's Committee or service centre)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    held = user_agency_roles(user=user)
    if not any(Role.STATISTICIAN.value in roles for roles in held.values()):
        return False
    return readable_agencies(user) is None


def batches_recent() -> list[ImportBatch]:
    """Return the latest imports, newest first, with who uploaded them; one query."""
    return list(ImportBatch.objects.select_related("uploaded_by")[:LISTED])


def batch_get(pk: int) -> ImportBatch:
    """Return an import; NotFound when there is none."""
    batch = ImportBatch.objects.select_related("uploaded_by").filter(pk=pk).first()
    if batch is None:
        raise NotFound(NO_SUCH_BATCH)
    return batch


def rejections_page(batch: ImportBatch, number: str | int | None) -> Page[ImportRejection]:
    """Return a page of the batch's rejected rows in file order (a bad number: the nearest)."""
    rows = ImportRejection.objects.filter(batch=batch).order_by("row", "pk")
    paginator = Paginator(rows, REJECTIONS_PER_PAGE)
    paginator.count = batch.rejected  # counted as the import ran: no COUNT over the rows
    return paginator.get_page(number)


def rejections_csv(batch: ImportBatch) -> Iterator[str]:
    """Yield the batch's rejected rows as CSV (row, code, reason), a line at a time."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["dong", "ma_ho_so", "ly_do"])
    yield "\ufeff" + buffer.getvalue()
    rows = ImportRejection.objects.filter(batch=batch).order_by("row", "pk")
    for row, code, reason in rows.values_list("row", "code", "reason").iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        out.writerow([row, code, reason])
        yield buffer.getvalue()
