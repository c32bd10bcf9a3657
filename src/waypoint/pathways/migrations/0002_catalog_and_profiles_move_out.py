"""The catalog moved to `catalog` and the learner profiles and success plans to `profiles` (their 0001 took
the models, their rows and their tables). Here pathways only forgets them: paths point at the moved
opportunities and plan goals, and the models leave this app's state. Nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("pathways", "0001_initial"),
        ("profiles", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="pathproposal",
                    name="opportunity",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paths",
                        to="catalog.opportunity",
                    ),
                ),
                migrations.AlterField(
                    model_name="pathproposal",
                    name="goals",
                    field=models.ManyToManyField(blank=True, related_name="paths", to="profiles.plangoal"),
                ),
                # Those that point at another moved model first.
                migrations.DeleteModel(name="GoalMilestone"),
                migrations.DeleteModel(name="PlanAcknowledgement"),
                migrations.DeleteModel(name="PlanReview"),
                migrations.DeleteModel(name="PlanGoal"),
                migrations.DeleteModel(name="SuccessPlan"),
                migrations.DeleteModel(name="ProfileComment"),
                migrations.DeleteModel(name="LearnerProfileRevision"),
                migrations.DeleteModel(name="LearnerProfile"),
                migrations.DeleteModel(name="Opportunity"),
                migrations.DeleteModel(name="Provider"),
            ],
            database_operations=[],
        ),
    ]
