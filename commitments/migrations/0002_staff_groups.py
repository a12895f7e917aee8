"""The two staff groups. Editors record; Reviewers also publish and delete."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["platform", "initiative", "source", "person", "commitment", "followup", "citation"]
HISTORY_MODELS = [f"historical{name}" for name in MODELS]

EDITOR_PERMISSIONS = [
    f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")
] + [f"view_{model}" for model in HISTORY_MODELS]
REVIEWER_PERMISSIONS = (
    EDITOR_PERMISSIONS + [f"delete_{model}" for model in MODELS] + ["publish_commitment"]
)


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITOR_PERMISSIONS), ("Reviewers", REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="commitments", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions not found: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
