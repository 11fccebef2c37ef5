"""Add the "White" ethnic group: the DfE's LAIT publishes KS2 RWM for all White pupils (not only White British)."""

from django.db import migrations


def add_white(apps, schema_editor):
    PupilGroup = apps.get_model("schools", "PupilGroup")
    all_pupils = PupilGroup.objects.filter(code="all").first()
    PupilGroup.objects.get_or_create(
        code="white",
        defaults=dict(
            name="White (all White groups)", category="ethnicity", comparison=all_pupils, is_focus=True, order=175
        ),
    )


def remove_white(apps, schema_editor):
    PupilGroup = apps.get_model("schools", "PupilGroup")
    PupilGroup.objects.filter(code="white", result__isnull=True, benchmark__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("schools", "0003_import_pipeline")]
    operations = [migrations.RunPython(add_white, remove_white)]
