# Two commands on a fresh machine: `make plot` and `make test`. Each sets up what it needs:
# .venv with the locked dependencies, and Graphviz's `dot` (through apt-get when run as root).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.kgraphs-installed
# This machine's pip configuration names extra indexes; their "is ignored" lines are noise.
# (grep exits 1 when it keeps no line; pip's own failure still fails the pipeline.)
QUIET_PIP := { grep -v "is ignored: it is neither a file nor a directory" || true; }
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup graphviz browser language-server test test-tensorflow test-jax test-site test-fast durations coverage catalog plot docs bench notebooks lint format lock clean

# uv installs the lock's wheels in seconds where pip takes most of a minute: pip brings uv
# (pinned), uv the rest, trusting the system's certificates as pip does here. Should uv fail
# (a mirror only pip is configured for), pip installs the same lock.
# uv, unlike pip, leaves the packages' bytecode to be compiled when first imported: in every
# process where PYTHONDONTWRITEBYTECODE is set (as on this machine), which doubles the time of
# each test that starts Python (importing TensorFlow from source: 7 s). Compiled once here, in
# parallel (20 s).
UV_VERSION := 0.13.8
UV_INSTALL := $(VENV)/bin/uv pip install -q --system-certs --python $(PY)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q uv==$(UV_VERSION) 2>&1 | $(QUIET_PIP)
	$(UV_INSTALL) --compile-bytecode -r requirements.lock \
		|| $(PY) -m pip install -q -r requirements.lock 2>&1 | $(QUIET_PIP)
	$(UV_INSTALL) --no-deps -e .
	$(PY) -c "import kgraphs, pydot, pydantic, importlib.util as u; \
		assert all(map(u.find_spec, ('keras', 'tensorflow', 'jax'))), 'the backends'"
	touch $@

setup: $(STAMP) graphviz

# $(call apt_program,PROGRAM,PACKAGE,WHAT FOR): install a Debian package when PROGRAM is missing,
# as root; otherwise stop with the exact command to run.
define apt_program
	@command -v $(1) >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing $(2) with apt-get ($(3))"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null; \
	else \
		echo "$(1) is missing ($(3)). Install it with:  sudo apt-get install -y $(2)" >&2; \
		exit 1; \
	fi
endef

graphviz:
	$(call apt_program,dot,graphviz,Graphviz draws the diagrams)

# The gallery and interactive-page tests open pages in Debian's headless Chromium (Playwright,
# from requirements.lock, drives this one: no browser is downloaded).
browser:
	$(call apt_program,chromium,chromium,the browser tests open pages in it)

# yaml-language-server, which tests/test_language_server.py drives as an editor does (completion,
# hover, diagnostics from the recipes' schema), pinned, in build/node/. 1.25.0 is the last that
# runs on Debian's Node.js 20 (2.x needs Node.js 22). npm comes from apt-get, with Node.js.
YAML_LANGUAGE_SERVER := 1.25.0
LANGUAGE_SERVER_STAMP := build/node/.yaml-language-server-$(YAML_LANGUAGE_SERVER)
language-server: $(LANGUAGE_SERVER_STAMP)

$(LANGUAGE_SERVER_STAMP):
	$(call apt_program,npm,nodejs npm,the editor tests run yaml-language-server)
	# Node.js trusts its own CA list, not the system's; a machine whose registry traffic goes
	# through a proxy with its own CA (in the system's list) needs it named, also under env -i.
	$(if $(wildcard /etc/ssl/certs/ca-certificates.crt),NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt) \
		npm install --prefix build/node --no-audit --no-fund --silent \
		yaml-language-server@$(YAML_LANGUAGE_SERVER)
	touch $@

LINTED := kgraphs tests benchmarks examples docs scripts
# pytest-xdist: one process a core. Each module's tests run in one process, so that what they
# share (built models, a gallery rendered twice, a browser) is made once, not once a process;
# and the longest modules start first, so that neither process sits idle at the end while the
# other finishes a long one (tests/conftest.py, from the times in tests/durations.json).
XDIST := -n 2 --dist loadscope --no-loadscope-reorder

# The TensorFlow pass, the site, then the JAX pass, one after the other. The TensorFlow pass
# runs the notebooks and keeps them in build/notebooks/, so that `make docs` after it runs none
# again (tests/notebook_runner.py). Side by side (-j2), at one commit on this 2-core machine,
# the two passes took 997 s; alone, the TensorFlow pass took 554 s and the JAX pass 254 s (its
# compilation cache warm): four processes loaded with TensorFlow or JAX on two cores, each
# with its own thread pools, slow each other more than they fill each other's waits.
test: setup browser language-server
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check $(LINTED)
	$(VENV)/bin/lint-imports --no-logo --no-cache  # the layers and no cycles (pyproject.toml)
	$(MAKE) --no-print-directory test-tensorflow
	$(MAKE) --no-print-directory test-site
	$(MAKE) --no-print-directory test-jax

test-tensorflow: setup browser
	$(PY) -m pytest $(XDIST) --durations=10

# The suite on JAX, all but the tests marked to run once (tests/conftest.py: runs_on), which
# are reported as deselected.
test-jax: setup
	KGRAPHS_TEST_BACKEND=jax $(PY) -m pytest $(XDIST) --durations=10

# The site (`make docs`), served on 127.0.0.1 and opened in headless Chromium (tests/site).
test-site: docs browser
	KGRAPHS_SITE_TESTS=1 $(PY) -m pytest -n 2 tests/site

# Every module's tests but those marked slow, on TensorFlow, in under a minute.
test-fast: setup
	$(PY) -m pytest $(XDIST) -m "not slow"

# Measure again how long each module takes on each backend, for the order above: each pass
# writes its times into tests/durations.json when it passes (tests/conftest.py).
durations: setup
	KGRAPHS_RECORD_DURATIONS=1 $(PY) -m pytest $(XDIST) -q
	KGRAPHS_RECORD_DURATIONS=1 KGRAPHS_TEST_BACKEND=jax $(PY) -m pytest $(XDIST) -q

# Line coverage of kgraphs/ by the TensorFlow pass, by package (`coverage report` per file too).
coverage: setup
	$(PY) -m pytest $(XDIST) -q --cov=kgraphs --cov-report=
	$(PY) tests/coverage_report.py

# Describe the installed Keras's layers and optimizers again (kgraphs/catalog/keras_layers.json),
# after a Keras upgrade: tests/test_keras_catalog.py fails until then.
catalog: setup
	$(PY) scripts/describe_keras.py

plot: setup
	$(PY) -m kgraphs plot recipes -o build/diagrams

# The documentation site in build/site/: the notebooks executed (or taken from build/notebooks/
# when the tests ran them from the same sources), the reference generated from the code, the
# gallery drawn (docs/build_docs.py), then MkDocs, whose --strict fails the build on a broken
# link or reference. Open build/site/index.html, or serve the folder.
docs: setup
	$(PY) docs/build_docs.py
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet

notebooks: setup
	$(PY) tests/notebook_runner.py build/notebooks

bench: setup
	$(PY) benchmarks/run.py

lint format: setup
	$(PY) -m ruff format $(LINTED)
	$(PY) -m ruff check --fix $(LINTED)

# Refresh the lock from the current .venv after changing dependencies in pyproject.toml.
lock: $(STAMP)
	{ echo "# Tested versions of every package in .venv; \`make lock\` regenerates this file."; \
	  $(PY) -m pip freeze --exclude-editable | grep -v "^kgraphs\|^uv=="; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf build .pytest_cache .ruff_cache
