"""candidacies keep their weighted total and submitted-scorecard count for the matrix

Revision ID: 5e2f0c1a9b7d
Revises: 7d47d2917873
Create Date: 2026-12-07 12:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e2f0c1a9b7d"
down_revision = "7d47d2917873"
branch_labels = None
depends_on = None

#: the group's effective score per candidacy and weighed expectation (the latest amendment's, else the
#: original), over submitted scorecards; then Σ weight · mean ÷ Σ weight per candidacy
TOTALS = """
SELECT m.candidacy_id, SUM(ve.weight * m.mean) / SUM(ve.weight)
FROM (
    SELECT sc.candidacy_id AS candidacy_id, ss.expectation_id AS expectation_id,
           AVG(1.0 * COALESCE((
               SELECT a.score FROM scorecard_amendments a
               WHERE a.scorecard_id = ss.scorecard_id AND a.expectation_id = ss.expectation_id
               ORDER BY a.id DESC LIMIT 1
           ), ss.score)) AS mean
    FROM scorecard_scores ss JOIN scorecards sc ON sc.id = ss.scorecard_id
    WHERE sc.submitted_at IS NOT NULL
    GROUP BY sc.candidacy_id, ss.expectation_id
) m
JOIN candidacies c ON c.id = m.candidacy_id
JOIN vacancy_expectations ve ON ve.vacancy_id = c.vacancy_id AND ve.expectation_id = m.expectation_id
WHERE m.mean IS NOT NULL
GROUP BY m.candidacy_id
"""
COUNTS = "SELECT candidacy_id, count(*) FROM scorecards WHERE submitted_at IS NOT NULL GROUP BY candidacy_id"


def upgrade():
    with op.batch_alter_table("candidacies") as batch_op:
        batch_op.add_column(sa.Column("weighted_total", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("submitted_scorecards", sa.Integer(), server_default="0", nullable=False))
    connection = op.get_bind()
    totals = [{"id": row[0], "total": float(row[1])} for row in connection.execute(sa.text(TOTALS))]
    if totals:
        connection.execute(sa.text("UPDATE candidacies SET weighted_total = :total WHERE id = :id"), totals)
    counts = [{"id": row[0], "count": row[1]} for row in connection.execute(sa.text(COUNTS))]
    if counts:
        connection.execute(sa.text("UPDATE candidacies SET submitted_scorecards = :count WHERE id = :id"), counts)


def downgrade():
    with op.batch_alter_table("candidacies") as batch_op:
        batch_op.drop_column("submitted_scorecards")
        batch_op.drop_column("weighted_total")
