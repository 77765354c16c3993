"""grade results: run_id is no longer a declared foreign key

A full run writes a million results at once, and PostgreSQL checks a foreign key row by row: five of
the nine seconds a million rows took (R-GRD-4). A run is created before its results, in an earlier
commit, and never deleted; ``grading.service.verify_run`` checks a run's rows against its digest.
``entity_id`` was never declared one, for the same reason.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 15:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('grade_results', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_grade_results_run_id_grading_runs'), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('grade_results', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_grade_results_run_id_grading_runs'), 'grading_runs', ['run_id'], ['id'])
