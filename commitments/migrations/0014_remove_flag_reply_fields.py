"""The flag's own right-of-reply fields, moved to ReplyRequest by 0013."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0013_right_of_reply"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="flag",
            name="platform_answer",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="platform_answered_on",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="platform_asked_on",
        ),
    ]
