"""Turn the supplement requests the timeline recorded into SupplementRequest rows."""

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    DossierStep = apps.get_model("workflow", "DossierStep")
    SupplementRequest = apps.get_model("workflow", "SupplementRequest")
    SupplementItem = apps.get_model("workflow", "SupplementItem")
    events = (
        DossierEvent.objects.filter(kind__in=["supplement_requested", "supplement_received"])
        .select_related("dossier")
        .order_by("dossier_id", "at", "id")
    )
    numbers: dict[int, int] = {}
    open_request: dict[int, Any] = {}
    for event in events.iterator():
        dossier = event.dossier
        if event.kind == "supplement_received":
            request = open_request.pop(dossier.pk, None)
            if request is not None:
                request.received_at = event.at
                request.received_by_id = event.actor_id
                request.note = event.note
                request.save(update_fields=["received_at", "received_by", "note"])
            continue
        if event.actor_id is None:
            continue
        intake = event.from_state in ("", "submitted")
        agency_id = dossier.receiving_unit_id if intake else dossier.competent_agency_id
        if not intake:
            step = (
                DossierStep.objects.filter(dossier_id=dossier.pk, started_at__lte=event.at)
                .order_by("-started_at", "-id")
                .first()
            )
            agency_id = step.agency_id if step is not None else agency_id
        lines = [line.strip() for line in event.note.splitlines() if line.strip()]
        numbers[dossier.pk] = numbers.get(dossier.pk, 0) + 1
        request = SupplementRequest.objects.create(
            dossier_id=dossier.pk,
            number=numbers[dossier.pk],
            phase="intake" if intake else "processing",
            agency_id=agency_id,
            reason=" ".join(line for line in lines if not line.startswith("- ")),
            requested_at=event.at,
            requested_by_id=event.actor_id,
        )
        SupplementItem.objects.bulk_create(
            SupplementItem(request=request, order=n, name=line[2:].strip())
            for n, line in enumerate((x for x in lines if x.startswith("- ")), start=1)
        )
        open_request[dossier.pk] = request


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0005_supplements_and_access"),
        ("dossiers", "0012_fill_access"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
