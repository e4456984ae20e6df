"""A real PostgreSQL + PostGIS server for the tests (pytest plugin).

Fixtures
--------
``postgis_uri`` (session)
    ``postgresql://…/db`` of a database with the ``postgis`` extension. When the environment
    variable ``ZONEPLAN_TEST_POSTGRES_URI`` is set, that server and database are used (the
    extension is created if missing); otherwise a throw-away cluster is created in a temporary
    directory with the Debian PostgreSQL binaries (``initdb`` + ``pg_ctl``, trust authentication,
    listening on a free loopback port only) and stopped and deleted at the end of the session.
    As root the cluster runs as the ``postgres`` system user (PostgreSQL refuses to run as root).
``plan_uri`` (function)
    ``<postgis_uri>#<unique plan name>``; the plan's schema is dropped after the test.

The Debian packages (``postgresql``, ``postgis``, ``postgresql-15-postgis-3``) are installed by
``.ci/install-system-deps``, which ``make test`` runs first. Use it in a test module with
``pytest_plugins = ["tests.postgis_server"]`` or by importing the fixtures.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["ENV_VAR", "plan_uri", "postgis_uri", "start_cluster"]

ENV_VAR = "ZONEPLAN_TEST_POSTGRES_URI"
_DB = "zoneplan_test"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    path = found[0] if found else shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL program {name!r} not found: run `make system-deps` (bash .ci/install-system-deps) or set {ENV_VAR}")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], *, as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")


@contextlib.contextmanager
def start_cluster(*, settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start a throw-away PostgreSQL cluster with PostGIS; yield its database URI; stop and delete it.

    Parameters
    ----------
    settings
        Extra server settings (``{"shared_buffers": "1GB"}``), passed as ``-c name=value``.
    """
    import psycopg

    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="zoneplan-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_postgres:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    try:
        _run([_bin("initdb"), "-D", str(data), "--auth=trust", "-E", "UTF8", "-U", "postgres", "--no-sync"], as_postgres=as_postgres)
        opts = f"-p {port} -c listen_addresses=127.0.0.1 -k {sock} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        opts += "".join(f" -c {k}={v}" for k, v in (settings or {}).items())
        _run([_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(root / "server.log"), "-o", opts, "start"], as_postgres=as_postgres)
        try:
            admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f"CREATE DATABASE {_DB}")
            uri = f"postgresql://postgres@127.0.0.1:{port}/{_DB}"
            with psycopg.connect(uri, autocommit=True) as con:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            yield uri
        finally:
            _run([_bin("pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"], as_postgres=as_postgres)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgis_uri() -> Iterator[str]:
    """URI of a database with PostGIS: ``$ZONEPLAN_TEST_POSTGRES_URI`` or a throw-away cluster."""
    external = os.environ.get(ENV_VAR)
    if external:
        import psycopg

        with psycopg.connect(external, autocommit=True) as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield external
        return
    with start_cluster() as uri:
        yield uri


@pytest.fixture
def plan_uri(postgis_uri: str) -> Iterator[str]:
    """A fresh plan location ``<postgis_uri>#t_<random>``; its schema is dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{postgis_uri}#{name}"
    with psycopg.connect(postgis_uri, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
