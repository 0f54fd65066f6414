# Two commands on a fresh machine: `make run` (the whole site with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: venv run test services stop bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: a looser requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# `make run WEB_ADDRESS=127.0.0.1:8001` serves elsewhere (default 127.0.0.1:8000).
run: venv
	$(BIN)/python deploy/devstack.py run $(if $(WEB_ADDRESS),--address $(WEB_ADDRESS))

test: venv
	$(BIN)/python deploy/devstack.py test -- $(PYTEST_ARGS)

# Start the embedded Postgres and Redis in the background and print their URLs (for manage.py).
services: venv
	$(BIN)/python deploy/devstack.py services

stop: venv
	$(BIN)/python deploy/devstack.py stop

clean: stop
	rm -rf $(VENV) .local
