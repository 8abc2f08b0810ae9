"""Why a database cannot be used: one exception family, each message naming the file."""

from __future__ import annotations


class StorageError(Exception):
    """The database file cannot be used; the message names the file and why."""


class ForeignDatabaseError(StorageError):
    """The file is not a Kurier comments database."""


class NewerSchemaError(StorageError):
    """The file was written by a newer Kurier."""


class DamagedDatabaseError(StorageError):
    """SQLite found the file damaged."""


class MigrationError(StorageError):
    """A schema migration failed; the file was left at its old version."""


class DatabaseBusyError(StorageError):
    """Another process held the write lock for longer than the busy timeout."""


class NotEmptyError(StorageError):
    """An import was refused because the database already holds documents."""


class ExportFormatError(StorageError):
    """Data given to import is not a Kurier export this version can read."""
