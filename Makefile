# Kurier: Pelican's quickstart targets and variables first, then Kurier's own.

PY?=python3
VENV?=$(CURDIR)/.venv
PYTHON=$(VENV)/bin/python
PELICAN?=$(VENV)/bin/pelican
PELICANOPTS=

BASEDIR=$(CURDIR)
INPUTDIR=$(BASEDIR)/content
OUTPUTDIR=$(BASEDIR)/output
CONFFILE=$(BASEDIR)/pelicanconf.py
PUBLISHCONF=$(BASEDIR)/publishconf.py

DEBUG ?= 0
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

RELATIVE ?= 0
ifeq ($(RELATIVE), 1)
	PELICANOPTS += --relative-urls
endif

SERVER ?= "127.0.0.1"

PORT ?= 0
ifneq ($(PORT), 0)
	PELICANOPTS += -p $(PORT)
endif
RUN_PORT = $(if $(filter-out 0,$(PORT)),$(PORT),8000)

# Where `make run` keeps the comments database and the moderator password.
VARDIR?=$(CURDIR)/var

# What `make lint` (and tests/test_lint.py) type-checks with mypy --strict.
MYPY_PATHS = plugins/kurier comments_service

# Installed once per change of pyproject.toml: later runs skip it in no time.
INSTALLED=$(VENV)/.kurier-installed

help:
	@echo 'Makefile for Kurier, the intranet newsroom'
	@echo ''
	@echo 'Usage:'
	@echo '   make run [PORT=8000]             build the site, serve it with the comments on 127.0.0.1'
	@echo '   make test                        install what is missing and run every test'
	@echo '   make html                        (re)generate the web site'
	@echo '   make clean                       remove the generated files'
	@echo '   make regenerate                  regenerate files upon modification'
	@echo '   make serve [PORT=8000]           serve site at http://localhost:8000'
	@echo '   make serve-global [SERVER=0.0.0.0] serve (as root) to $(SERVER):80'
	@echo '   make devserver [PORT=8000]       serve and regenerate together'
	@echo '   make devserver-global            regenerate and serve on 0.0.0.0'
	@echo '   make publish                     check, build with publishconf.py, swap into output/ atomically'
	@echo '   make install                     create .venv and install Kurier with its test tools'
	@echo '   make check                       check the content: path:line: message per problem'
	@echo '   make hooks                       install `make check` as the git pre-commit hook'
	@echo '   make lint                        ruff (lint and formatting), mypy --strict on $(MYPY_PATHS)'
	@echo '   make bench                       run the benchmarks, write BENCHMARKS.md'
	@echo '   make stack-multi [PORT=8000]     two hosts x 2 workers on PostgreSQL (COMMENTS_DB) behind nginx'
	@echo '   make stack [PORT=8443]           production topology on loopback: sign-in (Apache + OpenID), nginx, service on a socket'
	@echo ''
	@echo 'Set the DEBUG variable to 1 to enable debugging, e.g. make DEBUG=1 html'
	@echo 'Set the RELATIVE variable to 1 to enable relative urls'
	@echo ''

html: $(INSTALLED)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

regenerate: $(INSTALLED)
	"$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

serve: $(INSTALLED)
	"$(PELICAN)" -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

serve-global: $(INSTALLED)
	"$(PELICAN)" -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -b $(SERVER)

devserver: $(INSTALLED)
	"$(PELICAN)" -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

devserver-global: $(INSTALLED)
	"$(PELICAN)" -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS) -b 0.0.0.0

publish: $(INSTALLED)
	"$(PYTHON)" -m kurier.publish --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" --settings "$(PUBLISHCONF)" $(PELICANOPTS)

# --- Kurier's own targets ----------------------------------------------------

$(INSTALLED): pyproject.toml
	@test -x "$(PYTHON)" || $(PY) -m venv "$(VENV)"
	@echo "installing Kurier's dependencies into $(VENV) (about 20 s the first time; once, until pyproject.toml changes)"
	"$(PYTHON)" -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	@touch "$@"

install: $(INSTALLED)

# The main job: the site and the comments on one server, SQLite under var/.
# Anyone who reaches the port sees the site, so it is built as `make publish`
# builds it (publishconf.py: no drafts, no scheduled articles, leftovers of a
# preview in $(OUTPUTDIR) removed); page links stay root-relative (SITEURL "")
# so the pages work under any name this machine is reached by, while feeds
# and articles.json carry http://127.0.0.1:$(RUN_PORT).
run: run-port $(INSTALLED)
	KURIER_SITEURL=http://127.0.0.1:$(RUN_PORT) "$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" -e 'SITEURL=""'
	@mkdir -p "$(VARDIR)"
	@test -s "$(VARDIR)/admin_password" || "$(PYTHON)" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$(VARDIR)/admin_password"
	@chmod 600 "$(VARDIR)/admin_password"
	@echo
	@echo "  Kurier: http://127.0.0.1:$(RUN_PORT)/"
	@echo "  Moderator password: $$(cat "$(VARDIR)/admin_password") (kept in $(VARDIR)/admin_password; sign in at /admin/)"
	@echo "  Comments are kept in $(VARDIR)/comments.sqlite3. Ctrl-C stops the server."
	@echo
	@COMMENTS_SITE_DIR="$(OUTPUTDIR)" COMMENTS_DB="$(VARDIR)/comments.sqlite3" COMMENTS_AUTH=open COMMENTS_LOG_FORMAT=text \
		COMMENTS_ADMIN_PASSWORD="$$(cat "$(VARDIR)/admin_password")" \
		exec "$(PYTHON)" -m comments_service serve --host 127.0.0.1 --port $(RUN_PORT)

# Before installing or building anything: is the port free? (Standard library only.)
run-port:
	@PYTHONPATH="$(CURDIR)" $(PY) -m comments_service.ports $(RUN_PORT)

# The browser tests need Debian's chromium: install it when this machine can
# (root with apt), otherwise they are skipped with one line saying how.
BROWSER?=/usr/bin/chromium

test: $(INSTALLED)
	@test -x "$(BROWSER)" || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] || \
		{ echo "make test: installing Debian's chromium for the browser tests"; \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; } || \
		  echo "make test: could not install chromium; the browser tests will be skipped"; }
	"$(PYTHON)" -m pytest $(PYTEST_ARGS)

check: $(INSTALLED)
	@"$(PYTHON)" -m kurier.check --settings "$(CONFFILE)" "$(INPUTDIR)"

hooks:
	@printf '#!/bin/sh\n# Kurier: refuse a commit whose content has problems.\nexec make --no-print-directory -C "$$(git rev-parse --show-toplevel)" check\n' > "$$(git rev-parse --git-path hooks)/pre-commit"
	@chmod +x "$$(git rev-parse --git-path hooks)/pre-commit"
	@echo 'installed: git runs `make check` before every commit'

lint: $(INSTALLED)
	"$(VENV)/bin/ruff" check .
	"$(VENV)/bin/ruff" format --check .
	"$(VENV)/bin/mypy" --strict $(MYPY_PATHS)

bench: $(INSTALLED)
	"$(PYTHON)" -m bench

# Several hosts on one PostgreSQL database behind one nginx (Debian's), built as
# `make run` builds: deploy/stack_multi.py starts two hosts x 2 workers and nginx
# in the foreground (its files under $(VARDIR)/stack-multi); Ctrl-C stops all.
STACK_DB = $(or $(COMMENTS_DB),postgresql://postgres@127.0.0.1:5432/test?schema=kurier_stack)

stack-multi: run-port $(INSTALLED)
	KURIER_SITEURL=http://127.0.0.1:$(RUN_PORT) "$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" -e 'SITEURL=""'
	@mkdir -p "$(VARDIR)"
	@test -s "$(VARDIR)/admin_password" || "$(PYTHON)" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$(VARDIR)/admin_password"
	@chmod 600 "$(VARDIR)/admin_password"
	@echo "  Moderator password: $$(cat "$(VARDIR)/admin_password") (kept in $(VARDIR)/admin_password; sign in at /admin/)"
	@exec "$(PYTHON)" deploy/stack_multi.py --port $(RUN_PORT) --site "$(OUTPUTDIR)" --var "$(VARDIR)" --db "$(STACK_DB)"

# The production topology on loopback (docs/operations.md): the site built as
# `make run` builds it, then deploy/stack.py starts a stand-in OpenID provider,
# the service on a unix socket, Debian's nginx and Apache with mod_auth_openidc
# (installed when missing, as root); Ctrl-C stops all. Files under $(VARDIR)/stack.
STACK_PORT = $(if $(filter-out 0,$(PORT)),$(PORT),8443)

stack: $(INSTALLED)
	@PYTHONPATH="$(CURDIR)" $(PY) -m comments_service.ports $(STACK_PORT)
	KURIER_SITEURL=https://127.0.0.1:$(STACK_PORT) "$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" -e 'SITEURL=""'
	@exec "$(PYTHON)" deploy/stack.py --port $(STACK_PORT) --site "$(OUTPUTDIR)" --var "$(VARDIR)"

.PHONY: html help clean regenerate serve serve-global devserver devserver-global publish install run run-port test check hooks lint bench stack-multi stack
