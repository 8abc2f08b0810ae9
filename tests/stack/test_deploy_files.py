"""The files an operator copies from deploy/: they say what the service says, and the
programs they are for accept them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from comments_service.headers import COMMON_HEADERS, SITE_CSP
from tests.servers import REPO

DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def test_nginx_gives_the_site_the_headers_the_service_gives_its_own_pages() -> None:
    text = (DEPLOY / "nginx" / "kurier-headers.conf").read_text(encoding="utf-8")
    found = dict(re.findall(r'^add_header (\S+) "(.*)" always;$', text, re.M))
    expected = {**COMMON_HEADERS, "content-security-policy": SITE_CSP}
    assert {name.lower(): value for name, value in found.items()} == expected


def test_every_identity_header_is_dropped_by_apache_in_every_spelling() -> None:
    text = (DEPLOY / "apache" / "kurier-site.conf.template").read_text(encoding="utf-8")
    unset = set(re.findall(r"^\s*RequestHeader unset (\S+) early$", text, re.M))
    for name in ("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username",
                 "X-Forwarded-Groups", "X-Kurier-Proxy-Secret"):  # fmt: skip
        assert {name, name.replace("-", "_")} <= unset, name
    # Each is set again only from a claim the provider sent.
    for header in re.findall(
        r'^\s*RequestHeader set (X-Forwarded-\S+) "%\{OIDC_CLAIM_', text, re.M
    ):
        line = next(x for x in text.splitlines() if f"RequestHeader set {header} " in x)
        assert " env=OIDC_CLAIM_" in line, line


def test_nginx_passes_identity_on_only_with_the_fronts_secret() -> None:
    proxy = (DEPLOY / "nginx" / "kurier-proxy.conf").read_text(encoding="utf-8")
    for header, variable in (("X-Forwarded-User", "$kurier_user"),
                             ("X-Forwarded-Email", "$kurier_email"),
                             ("X-Forwarded-Preferred-Username", "$kurier_name"),
                             ("X-Forwarded-Groups", "$kurier_groups"),
                             ("X-Kurier-Proxy-Secret", "$kurier_secret")):  # fmt: skip
        assert f"proxy_set_header {header} {variable};" in proxy
    site = (DEPLOY / "nginx" / "kurier.conf.template").read_text(encoding="utf-8")
    assert "underscores_in_headers off;" in site
    assert re.search(r"map \$kurier_from_front \$kurier_user \{\s*1 \$http_x_forwarded_user;"
                     r'\s*default "";', site)  # fmt: skip


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    # The units name /srv/kurier; here the interpreter and the checkout stand in for it.
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/srv/kurier/.venv/bin/python", sys.executable)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    quiet = {"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"}
    command = ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u.name) for u in UNITS)]
    done = subprocess.run(command, capture_output=True, text=True, env=quiet)
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 0 and not problems, done.stderr


def test_the_service_unit_is_hardened_and_restarts() -> None:
    text = (DEPLOY / "systemd" / "kurier-comments.service").read_text(encoding="utf-8")
    for line in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                 "PrivateTmp=yes", "Restart=on-failure"):  # fmt: skip
        assert re.search(rf"^{re.escape(line)}$", text, re.M), line
    assert re.search(r"^ExecStart=.* serve --uds /run/kurier/comments\.sock --workers \d+$", text,
                     re.M)  # fmt: skip
    timers = {u.name for u in UNITS if u.suffix == ".timer"}
    assert timers == {"kurier-publish.timer", "kurier-backup.timer"}
