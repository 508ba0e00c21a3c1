"""Practices that existed before sales get one document type of each kind (new practices get
theirs from billing.signals)."""

from django.db import migrations

from billing.signals import DEFAULT_PREFIXES, KINDS, PREFIXES

NAMES = {
    "invoice": "Invoice", "receipt": "Receipt", "proforma": "Pro-forma",
    "credit_note": "Credit note", "settlement": "Collective settlement",
    "payment": "Payment receipt",
}  # fmt: skip


def forwards(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    DocumentType = apps.get_model("billing", "DocumentType")
    for practice in Practice.objects.all():
        if DocumentType.objects.filter(practice=practice).exists():
            continue
        prefixes = PREFIXES.get(practice.language.lower(), DEFAULT_PREFIXES)
        DocumentType.objects.bulk_create(
            DocumentType(practice=practice, kind=str(kind), name=NAMES[str(kind)], prefix=prefix)
            for kind, prefix in zip(KINDS, prefixes, strict=True)
        )


def backwards(apps, schema_editor):
    apps.get_model("billing", "DocumentType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("practices", "0003_billing_fields")]

    operations = [migrations.RunPython(forwards, backwards)]
