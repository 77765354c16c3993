"""import runs: the lease of the process running them, and the batches committed

A run whose process was killed stayed "running" until a page guessed, after ten minutes without
progress, that it had stopped (issue 17, defect 8). The process now holds a lease on its run
(``holder``, ``lease_until``, renewed while it runs); a run whose lease lapsed or whose process is gone
reads as interrupted at once, and the next start writes it so. ``batches`` says how far it got.

Runs still marked running were started by a platform older than this revision, which the upgrade has
stopped: their lease ends at their last progress, so they read as interrupted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 17:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import xinyong.kit.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=120), nullable=True,
                                      comment='执行导入的进程（主机/PID 命名空间:PID:启动时刻）'))
        batch_op.add_column(sa.Column('lease_until', xinyong.kit.db.UTCDateTime(), nullable=True,
                                      comment='租约到期时间：执行进程定期续期，过期未续即视为中断'))
        batch_op.add_column(sa.Column('batches', sa.Integer(), nullable=False, server_default='0',
                                      comment='已提交批次数'))
    op.execute("UPDATE import_runs SET lease_until = updated_at")
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.alter_column('lease_until', existing_type=xinyong.kit.db.UTCDateTime(), nullable=False,
                              existing_comment='租约到期时间：执行进程定期续期，过期未续即视为中断')
        batch_op.alter_column('batches', existing_type=sa.Integer(), server_default=None,
                              existing_comment='已提交批次数')


def downgrade() -> None:
    op.execute("UPDATE import_runs SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_column('batches')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('holder')
