# e-Sachivalaya portal: `make run` starts the portal, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run run-cluster dev test test-fast mutants reset-demo clean-venv chromium postgresql nginx

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when the pinned requirements change.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# Start the portal on data/esachivalaya.duckdb (ESACHIVALAYA_DB overrides). A new database is
# created with the schema, Rewari's reference data and demo complaints on first start.
# Only this machine can reach it unless told otherwise: `make run ADDRESS=0.0.0.0`.
run: $(VENV)/.runtime-installed
	$(PY) -m streamlit run portal.py --server.address $(ADDRESS) --server.port $(PORT)

# Several portal processes behind nginx on one PostgreSQL database (README, "Scaling out"): N portals on
# the ports after PORT, the proxy on PORT. ESACHIVALAYA_DB=postgresql://... names the database; without
# it a throwaway PostgreSQL server (gone at the stop) is started. Ctrl-C or SIGTERM stops everything.
N ?= 2
run-cluster: $(VENV)/.runtime-installed postgresql nginx
	$(PY) -m lib.ops.cluster --portals $(N) --port $(PORT) --address $(ADDRESS)

# For someone editing pages: reload on save (the file watcher is off in every other run).
dev: $(VENV)/.runtime-installed
	$(PY) -m streamlit run portal.py --server.port $(PORT) --server.fileWatcherType auto --server.runOnSave true

# Browser tests drive Debian's chromium (no browser download); install it when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The data-layer tests marked `engines` run on PostgreSQL too: Debian's postgresql (initdb, pg_ctl) is
# installed when missing, and tests/pg_cluster.py starts a throwaway server in a temporary folder (as
# `nobody` under root). ESACHIVALAYA_TEST_PG=postgresql://user@host/db uses that server instead.
postgresql:
	@[ -n "$$ESACHIVALAYA_TEST_PG" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the PostgreSQL runs of the tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The cluster (make run-cluster) and its browser test put Debian's nginx in front of the portal processes;
# installed when missing. Only the binary is used: the service Debian ships is never started or configured.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installing Debian's nginx for the portal cluster and its browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

test: $(VENV)/.dev-installed chromium postgresql nginx
	$(PY) -m pytest -q

# Everything except the browser tests (quicker while you work).
test-fast: $(VENV)/.dev-installed postgresql
	$(PY) -m pytest -q -m "not e2e"

# Mutation check: deliberate breakages (tests/mutants.py) the tests must catch; not part of `make test`.
mutants: $(VENV)/.dev-installed
	$(PY) -m tests.mutants

# Start again from a fresh demo database (deletes the database and its uploads; keeps the keys).
reset-demo: $(VENV)/.runtime-installed
	$(PY) -m lib.ops.cli reset-demo

clean-venv:
	rm -rf $(VENV)
