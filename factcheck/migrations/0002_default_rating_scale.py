"""The default verdict scale (DESIGN §2); admins edit it afterwards."""

from django.db import migrations

DEFAULT_SCALE = [
    # label, slug, value, requires_source, colour, description
    ("True", "true", 5, True, "#2d6a4f", "The claim is accurate."),
    ("Mostly true", "mostly-true", 4, True, "#52b788",
     "The claim is accurate but needs clarification or context."),
    ("Half true", "half-true", 3, True, "#e9c46a",
     "The claim is partly accurate but leaves out important details."),
    ("Misleading", "misleading", 2, True, "#f4a261",
     "The claim contains some truth but creates a false impression."),
    ("False", "false", 1, True, "#9b2226", "The claim is inaccurate."),
    ("Unverifiable", "unverifiable", None, True, "#6c757d",
     "The available evidence can neither confirm nor refute the claim."),
    ("Not a factual claim", "not-a-factual-claim", None, False, "#adb5bd",
     "The statement is opinion, prediction or rhetoric, not a checkable fact."),
]


def create_scale(apps, schema_editor):
    Rating = apps.get_model("factcheck", "Rating")
    for order, (label, slug, value, requires_source, colour, description) in enumerate(
        DEFAULT_SCALE, start=1
    ):
        Rating.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "requires_source": requires_source,
                "colour": colour,
                "description": description,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0001_initial")]
    operations = [migrations.RunPython(create_scale, migrations.RunPython.noop)]
