"""Configuration: defaults of API.md, and a bad variable fails at start, naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from comments_service.config import ConfigError, RateLimit, Settings
from tests.service.kit import REPO


def test_config_defaults_follow_the_contract(tmp_path):
    settings = Settings.from_env({"COMMENTS_DB": str(tmp_path / "c.sqlite3")})
    assert settings.auth == "open"
    assert str(settings.trusted_proxies) == "127.0.0.1/32,::1/128"
    assert str(settings.metrics_allow) == "127.0.0.1/32,::1/128"
    assert settings.proxy_secret == "" and settings.log_format == "json"
    assert settings.reactions == ("like", "love", "celebrate", "insightful", "curious")
    assert settings.rate_limit == RateLimit(10, 60)
    assert settings.premoderation is False and settings.synchronous == "FULL"
    assert settings.allowed_origins == () and settings.site_dir is None
    assert Settings.from_env({}).db == Path("var/comments.sqlite3")


def test_config_articles_default_to_the_site_dir(tmp_path):
    settings = Settings.from_env(
        {"COMMENTS_DB": str(tmp_path / "c.sqlite3"), "COMMENTS_SITE_DIR": str(tmp_path)}
    )
    assert settings.articles_path == tmp_path / "articles.json"


def test_config_secret_key_is_generated_once_beside_the_db(tmp_path):
    env = {"COMMENTS_DB": str(tmp_path / "var" / "c.sqlite3")}
    first = Settings.from_env(env).secret_key
    assert len(first) >= 32
    assert Settings.from_env(env).secret_key == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings.from_env({**env, "COMMENTS_SECRET_KEY": "k" * 40}).secret_key == "k" * 40


@pytest.mark.parametrize(
    "name, value",
    [
        pytest.param("COMMENTS_AUTH", "ldap", id="auth"),
        pytest.param("COMMENTS_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local", id="proxies"),
        pytest.param("COMMENTS_ALLOWED_ORIGINS", "kurier.intranet", id="origins"),
        pytest.param("COMMENTS_REACTIONS", "like,Wow!", id="reactions"),
        pytest.param("COMMENTS_REACTIONS", "like,like", id="reactions-twice"),
        pytest.param("COMMENTS_RATE_LIMIT", "ten per minute", id="rate-limit"),
        pytest.param("COMMENTS_RATE_LIMIT", "0/minute", id="rate-limit-zero"),
        pytest.param("COMMENTS_PREMODERATION", "maybe", id="premoderation"),
        pytest.param("COMMENTS_SYNCHRONOUS", "SOMETIMES", id="synchronous"),
        pytest.param("COMMENTS_TIMEZONE", "Europe/Nowhere", id="timezone"),
        pytest.param("COMMENTS_TIMEZONE", "../../etc/passwd", id="timezone-path"),
        pytest.param("COMMENTS_SITE_DIR", "/nonexistent/site", id="site-dir"),
    ],
)
def test_config_bad_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"COMMENTS_DB": str(tmp_path / "c.sqlite3"), name: value})


def test_config_serve_refuses_to_start_on_a_bad_variable(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "comments_service", "serve", "--port", "0"],
        env={
            "COMMENTS_DB": str(tmp_path / "c.sqlite3"),
            "COMMENTS_RATE_LIMIT": "lots",
            "PATH": "/usr/bin:/bin",
        },  # fmt: skip
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "COMMENTS_RATE_LIMIT" in result.stderr and "lots" in result.stderr


@pytest.mark.parametrize(
    "value",
    ["kurier.intranet.example", "ftp://kurier.example", "https://", "https://k.example/?a=1"],
)
def test_public_url_must_be_an_http_address(tmp_path, value):
    with pytest.raises(ConfigError, match="COMMENTS_PUBLIC_URL"):
        Settings.from_env(
            {"COMMENTS_DB": str(tmp_path / "c.sqlite3"), "COMMENTS_PUBLIC_URL": value}
        )


def test_config_db_names_an_sqlite_file_or_a_postgresql_address(tmp_path):
    file = tmp_path / "c.sqlite3"
    assert Settings.from_env({"COMMENTS_DB": str(file)}).db == file
    assert Settings.from_env({"COMMENTS_DB": f"sqlite:///{file}"}).db == file
    assert Settings.from_env({"COMMENTS_DB": "sqlite:///var/x.sqlite3"}).db == Path("var/x.sqlite3")
    address = "postgresql://kurier@db.example/kurier?schema=news&sslmode=require"
    settings = Settings.from_env({"COMMENTS_DB": address, "COMMENTS_SECRET_KEY": "k" * 48})
    assert settings.db == address


def test_config_postgresql_needs_a_valid_schema_and_a_shared_secret():
    with pytest.raises(ConfigError, match="COMMENTS_DB: schema 'News-1'"):
        Settings.from_env({"COMMENTS_DB": "postgresql://h/db?schema=News-1",
                           "COMMENTS_SECRET_KEY": "k" * 48})  # fmt: skip
    with pytest.raises(ConfigError, match="COMMENTS_SECRET_KEY: set it .* same on every host"):
        Settings.from_env({"COMMENTS_DB": "postgresql://h/db"})
