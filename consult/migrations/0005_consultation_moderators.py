"""The "Consultation moderators" group: into the Wagtail admin, the moderation
queue (view and change proposals and comments) and the proposal categories.

``create_moderators_group`` is idempotent and takes an app registry, so the
test suite can restore the group after a transactional test flushed it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Consultation moderators"

PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("consult", "proposal", "view_proposal"),
    ("consult", "proposal", "change_proposal"),
    ("consult", "comment", "view_comment"),
    ("consult", "comment", "change_comment"),
    ("consult", "category", "add_category"),
    ("consult", "category", "change_category"),
    ("consult", "category", "delete_category"),
    ("consult", "category", "view_category"),
]


def create_moderators_group(apps, schema_editor):
    # Permissions are normally made after the last migration (post_migrate):
    # make them now so the group can be given them.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, model, codename in PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0004_contributions"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
