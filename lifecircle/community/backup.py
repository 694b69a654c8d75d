"""Back up and restore the site's database, SQLite or PostgreSQL, while the site keeps running.

- SQLite: the online backup API copies the database page by page inside one read transaction, so
  the copy is the database as it was at one instant even while workers write; restore copies the
  backup back the same way (under a write lock, so no reader sees half of it).
- PostgreSQL: ``pg_dump --format=custom`` (one repeatable-read snapshot; Debian's postgresql
  client package) and ``pg_restore --clean --if-exists --single-transaction`` (all or nothing).

A restore replaces everything in the database with the backup; the commands ask first.
"""
import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections


def settings_of(alias="default"):
    return connections[alias].settings_dict


def is_sqlite(db):
    return db["ENGINE"].endswith("sqlite3")


def suffix(db):
    return ".sqlite3" if is_sqlite(db) else ".pgdump"


def pg_tool(name):
    """pg_dump or pg_restore: on PATH, or the newest in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name) or next(iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"),
                                                   key=lambda p: int(p.split("/")[4]), reverse=True)), None)
    if not found:
        raise CommandError(f"{name} is missing: install Debian's postgresql-client package.")
    return found


def pg_args(db):
    """Connection arguments; host and port may also come as options (``?host=/run/pg&port=5433``)."""
    options = db.get("OPTIONS", {})
    args = ["--dbname", db["NAME"]]
    for flag, value in (("--host", db.get("HOST") or options.get("host")),
                        ("--port", db.get("PORT") or options.get("port")), ("--username", db.get("USER"))):
        if value:
            args += [flag, str(value)]
    return args


def pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup(target, alias="default"):
    """Write a consistent copy of the database to ``target``; return its size in bytes."""
    db = settings_of(alias)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")  # never leave a half-written backup under its name
    if is_sqlite(db):
        source = sqlite3.connect(db["NAME"], timeout=60)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *pg_args(db)], pg_env(db))
    partial.replace(target)
    return target.stat().st_size


def check_backup(source, db):
    """Refuse a file that is not a backup of this kind of database (before anything is replaced)."""
    source = Path(source)
    if not source.is_file():
        raise CommandError(f"No backup at {source}.")
    if is_sqlite(db):
        try:
            copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                ok = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                has_django = copy.execute("SELECT 1 FROM sqlite_master WHERE name='django_migrations'").fetchone()
            finally:
                copy.close()
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{source} is not an SQLite database: {error}") from None
        if not (ok and has_django):
            raise CommandError(f"{source} is not a sound backup of this site's database.")
    elif source.read_bytes()[:5] != b"PGDMP":
        raise CommandError(f"{source} is not a pg_dump backup (made with --format=custom).")


def restore(source, alias="default"):
    """Replace the database's contents with the backup at ``source``."""
    db = settings_of(alias)
    check_backup(source, db)
    connections[alias].close()
    if is_sqlite(db):
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(db["NAME"], timeout=60)
        try:
            copy.backup(live)
        finally:
            live.close()
            copy.close()
    else:
        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *pg_args(db), str(source)], pg_env(db))
