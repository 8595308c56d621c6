# anfang — two commands matter: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PIP    := $(BIN)/pip --disable-pip-version-check -q

.PHONY: demo test models bench lint clean help console system-packages system-packages-demo

help:
	@echo "make demo   set up and run the platform on real campus CCTV (http://127.0.0.1:8080/)"
	@echo "make test   set up and run the test suite (installs missing Debian packages, builds the model pack once)"
	@echo "make bench  run the benchmarks and write docs/benchmarks.md"

# Debian packages: .ci/apt-packages-demo.txt for the demo, plus .ci/apt-packages.txt for the tests.
# Missing ones are installed with apt-get as root; otherwise the script prints the sudo command and stops.
APT_DEMO := .ci/apt-packages-demo.txt
APT_TEST := .ci/apt-packages.txt
system-packages-demo:
	scripts/ensure-system-packages $(APT_DEMO)

system-packages:
	scripts/ensure-system-packages $(APT_DEMO) $(APT_TEST)

# Packages first, then the rest, even under make -j (npm and the venv need them).
.NOTPARALLEL: demo test

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) and installing anfang"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip
	$(PIP) install -e ".[test]"
	@touch $(STAMP)

models: $(STAMP)
	$(BIN)/anfang models build

demo: system-packages-demo models console
	$(BIN)/anfang demo

# The browser console (console/ → anfang/web/dist), rebuilt when its sources change.
CONSOLE_SRC := $(shell find console/src -type f 2>/dev/null) console/index.html console/package.json \
	console/package-lock.json console/vite.config.js console/tsconfig.json
console: anfang/web/dist/index.html

anfang/web/dist/index.html: $(CONSOLE_SRC)
	cd console && npm ci --no-audit --no-fund && npm run build

lint: $(STAMP)
	$(BIN)/ruff check anfang tests bench
	$(BIN)/mypy

test: system-packages models lint console
	$(BIN)/pytest -q -ra

bench: models
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) build *.egg-info anfang-data
