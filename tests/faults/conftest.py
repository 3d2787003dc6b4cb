"""The product as it runs in production, on servers of its own that the fault tests stop,
restart and kill: a private PostgreSQL cluster and Redis (tests/services.py), the schema
migrated and the tiny demo province seeded (``seed_demo --scale tiny --manifest``), served by
gunicorn with threaded workers. Built once for the module (about a minute)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.services import (
    PrivatePostgres,
    PrivateRedis,
    free_port,
    postgres_bin,
    redis_server_binary,
    wait_for_port,
)

ROOT = Path(settings.BASE_DIR)


def pytest_collection_modifyitems(items):
    reason = None
    if not postgres_bin():
        reason = "PostgreSQL's server binaries are not installed (apt-get install postgresql)"
    elif not redis_server_binary():
        reason = "redis-server is not installed (apt-get install redis-server)"
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Run once per CI run, in the PostgreSQL pass: the servers here are private anyway.
        reason = "fault tests run in the PostgreSQL pass (DATABASE_URL=postgres://...)"
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict

    def json(self):
        return json.loads(self.body)


@dataclass
class Http:
    """A small HTTP client: one connection per call, cookies kept by hand."""

    port: int
    cookies: dict = field(default_factory=dict)

    def call(self, method, path, *, token=None, body=None, form=None, timeout=30):
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if token:
            headers["Authorization"] = f"Token {token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, raw, dict(response.getheaders()))
        finally:
            conn.close()


@dataclass
class Stack:
    pg: PrivatePostgres
    redis: PrivateRedis
    env: dict
    port: int
    manifest: dict
    workdir: Path
    server: subprocess.Popen | None = None

    def manage(self, *args, timeout=300, check=True):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result

    def sql(self, query, *params):
        import psycopg

        with psycopg.connect(self.pg.url(), autocommit=True) as conn:
            rows = conn.execute(query, params)
            return rows.fetchall() if rows.description else []

    def client(self):
        return Http(self.port)

    def token(self, username):
        answer = self.client().call(
            "POST",
            "/api/v1/auth/token/",
            body={"username": username, "password": self.manifest["password"]},
        )
        assert answer.status == 200, answer.body
        return answer.json()["token"]

    def member_session(self, username):
        web = self.client()
        page = web.call("GET", "/dang-nhap/")
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        answer = web.call(
            "POST",
            "/dang-nhap/",
            form={
                "username": username,
                "password": self.manifest["password"],
                "csrfmiddlewaretoken": csrf.decode(),
                "next": "/",
            },
        )
        assert answer.status == 302, answer.body[:500]
        return web

    def serve(self):
        log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115 (closed with the process)
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=60)

    def stop_serving(self):
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults")
    pg = PrivatePostgres().start()
    redis = PrivateRedis().start()
    try:
        pg.createdb()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": pg.url(),
            "REDIS_URL": redis.url,
            "SECRET_KEY": "faults-" + os.urandom(16).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SOTAY_PRIVATE_ROOT": str(workdir / "private"),
            "SOTAY_JOB_HEARTBEAT_SECONDS": "1",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("ELASTICSEARCH_URL", None)
        stack = Stack(pg, redis, env, free_port(), {}, workdir)
        stack.manage("migrate", "--noinput", timeout=600)
        manifest = workdir / "manifest.json"
        stack.manage("seed_demo", "--scale", "tiny", "--seed", "7", "--manifest", str(manifest))
        stack.manifest = json.loads(manifest.read_text())
        stack.serve()
        yield stack
    finally:
        if "stack" in locals():
            stack.stop_serving()
        redis.stop()
        pg.remove()
