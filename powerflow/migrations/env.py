"""Alembic environment for powerflow: runs on the connection ``powerflow.store.upgrade`` passes."""

from __future__ import annotations

from alembic import context

from powerflow import store

config = context.config
target_metadata = store.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = store.connect(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
