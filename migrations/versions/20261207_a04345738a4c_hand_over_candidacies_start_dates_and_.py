"""hand-over: candidacies' start dates and not-selected e-mails, goals proposed by the recruitment

Revision ID: a04345738a4c
Revises: b871531d9f94
Create Date: 2026-12-07 09:35:53.854008

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a04345738a4c"
down_revision = "b871531d9f94"
branch_labels = None
depends_on = None

#: goal_status is a VARCHAR with a CHECK constraint (lifecycle.db.enum_column): a new value is a new check
GOAL_STATUSES = ("planned", "in_progress", "achieved", "dropped")
WITH_PROPOSED = (*GOAL_STATUSES, "proposed")


def _status_check(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "notice_language",
                sa.Enum(
                    "sv", "en", name="notice_language", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("notice_failed_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidacy_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_plan_goals_candidacy_id"), ["candidacy_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_goals_candidacy_id_candidacies"),
            "candidacies",
            ["candidacy_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_plan_goals_goal_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_goals_goal_status"), _status_check(WITH_PROPOSED))


def downgrade():
    # Proposals nobody accepted have no status without "proposed": they go, as a rejection would.
    op.execute("DELETE FROM plan_goals WHERE status = 'proposed'")
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_goals_goal_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_goals_goal_status"), _status_check(GOAL_STATUSES))
        batch_op.drop_constraint(batch_op.f("fk_plan_goals_candidacy_id_candidacies"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plan_goals_candidacy_id"))
        batch_op.drop_column("candidacy_id")

    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_candidacies_notice_language"), type_="check")
        batch_op.drop_column("notice_failed_at")
        batch_op.drop_column("notice_sent_at")
        batch_op.drop_column("notice_language")
        batch_op.drop_column("starts_on")
