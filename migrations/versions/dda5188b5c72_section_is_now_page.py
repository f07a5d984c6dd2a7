"""section is now page

Revision ID: dda5188b5c72
Revises: 570c0d6a78d8
Create Date: 2026-11-30 06:48:27.000000

One screen of the questionnaire is called a page everywhere (docs/glossary.md): the table
`section` becomes `page`, `question.section_id` becomes `question.page_id`, and every constraint
and index named after them takes the name the naming convention now gives. Both databases rename
the table and the column in place. PostgreSQL renames the constraints, indexes and the id
sequence too; SQLite cannot rename a constraint, so it copies each of the two tables once (batch
mode) with the new names. The downgrade is the same rename the other way.

(toolkit_view.section and uq_toolkit_view_response_id_section keep their names: they are about
the toolkit's sections, which are still called sections.)
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'dda5188b5c72'
down_revision = '570c0d6a78d8'
branch_labels = None
depends_on = None

# The page table's kind check as the first release wrote it (a migration never reads the models).
KINDS = "kind IN ('eligibility', 'consent', 'questions', 'toolkit')"


def upgrade():
    _rename("section", "page")


def downgrade():
    _rename("page", "section")


def _rename(old, new):
    # SQLite (3.26 and later) points question's foreign key at the renamed table, and its
    # constraints and index at the renamed column, by itself; PostgreSQL does too.
    op.rename_table(old, new)
    op.alter_column("question", f"{old}_id", new_column_name=f"{new}_id")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_with_new_names(old, new)
    else:
        _rename_in_place(old, new)


def _rename_in_place(old, new):
    op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    for table, before, after in [
        (new, f"pk_{old}", f"pk_{new}"),
        (new, f"ck_{old}_kind", f"ck_{new}_kind"),
        (new, f"fk_{old}_version_id_questionnaire_version",
         f"fk_{new}_version_id_questionnaire_version"),
        (new, f"uq_{old}_version_id_name", f"uq_{new}_version_id_name"),
        (new, f"uq_{old}_version_id_position", f"uq_{new}_version_id_position"),
        ("question", f"fk_question_{old}_id_{old}", f"fk_question_{new}_id_{new}"),
        ("question", f"uq_question_{old}_id_position", f"uq_question_{new}_id_position"),
    ]:
        op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {before} TO {after}")
    for before, after in [
        (f"ix_{old}_version_id", f"ix_{new}_version_id"),
        (f"ix_question_{old}_id", f"ix_question_{new}_id"),
    ]:
        op.execute(f"ALTER INDEX {before} RENAME TO {after}")


def _rebuild_with_new_names(old, new):
    # Names go through op.f(), as autogenerate writes them: final names, not naming-convention
    # input. The indexes are dropped and made outside the batches (plain SQL on SQLite).
    op.drop_index(op.f(f"ix_{old}_version_id"), table_name=new)
    op.drop_index(op.f(f"ix_question_{old}_id"), table_name="question")
    with op.batch_alter_table(new, recreate="always") as batch_op:
        batch_op.drop_constraint(op.f(f"pk_{old}"), type_="primary")
        batch_op.drop_constraint(op.f(f"ck_{old}_kind"), type_="check")
        batch_op.drop_constraint(
            op.f(f"fk_{old}_version_id_questionnaire_version"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f(f"uq_{old}_version_id_name"), type_="unique")
        batch_op.drop_constraint(op.f(f"uq_{old}_version_id_position"), type_="unique")
        batch_op.create_primary_key(op.f(f"pk_{new}"), ["id"])
        batch_op.create_check_constraint(op.f(f"ck_{new}_kind"), KINDS)
        batch_op.create_foreign_key(
            op.f(f"fk_{new}_version_id_questionnaire_version"),
            "questionnaire_version",
            ["version_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            op.f(f"uq_{new}_version_id_name"), ["version_id", "name"]
        )
        batch_op.create_unique_constraint(
            op.f(f"uq_{new}_version_id_position"), ["version_id", "position"]
        )
    with op.batch_alter_table("question", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f(f"fk_question_{old}_id_{old}"), type_="foreignkey")
        batch_op.drop_constraint(op.f(f"uq_question_{old}_id_position"), type_="unique")
        batch_op.create_foreign_key(
            op.f(f"fk_question_{new}_id_{new}"), new, [f"{new}_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            op.f(f"uq_question_{new}_id_position"), [f"{new}_id", "position"]
        )
    op.create_index(op.f(f"ix_{new}_version_id"), new, ["version_id"], unique=False)
    op.create_index(op.f(f"ix_question_{new}_id"), "question", [f"{new}_id"], unique=False)
