# huoye — the two commands most people need:
#   make build   set up (system packages + .venv) and build the sample issue into output/
#   make test    set up (incl. test tools) and run the whole test suite
# Set-up is done by scripts/setup.sh and is a quick no-op when everything is there.

VENV        ?= .venv
PY          := $(VENV)/bin/python
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup setup-test build test check bench lint clean messages

help:
	@echo "make build        set up, then build the sample issue into output/"
	@echo "make test         set up (with test tools), then run the test suite"
	@echo "                  (extra pytest args: make test PYTEST_ARGS='-k pptx -x')"
	@echo "make check        run 'huoye check'"
	@echo "make bench        run bench/run.py"
	@echo "make lint         ruff check"
	@echo "make messages     extract the interface's messages into huoye/locale/*/LC_MESSAGES/*.po"
	@echo "                  (new ones come untranslated: translate them) and compile the .mo"
	@echo "make setup        install runtime system packages + .venv only"
	@echo "make setup-test   install runtime + test system packages + .venv only"
	@echo "make clean        remove output/ and caches (keeps .venv)"

setup:
	@bash scripts/setup.sh runtime

setup-test:
	@bash scripts/setup.sh test

build: setup
	$(PY) build.py

test: setup-test
	$(VENV)/bin/ruff check huoye tests bench build.py scripts
	$(VENV)/bin/mypy
	$(PY) scripts/messages.py compile
	$(PY) scripts/messages.py check
	$(PY) -m pytest -q $(PYTEST_ARGS)

check: setup
	$(VENV)/bin/huoye check

bench: setup-test
	$(PY) bench/run.py

lint: setup-test
	$(VENV)/bin/ruff check huoye tests bench build.py scripts
	$(VENV)/bin/mypy

# The message catalogues (huoye.i18n): the .po files are the sources, kept in git; the
# compiled .mo files are committed too, so that `make build` from a fresh clone speaks
# Chinese without Babel (a runtime-only set-up does not install it).
messages: setup-test
	$(PY) scripts/messages.py update
	$(PY) scripts/messages.py compile

clean:
	rm -rf output/ .pytest_cache/ .ruff_cache/ .hypothesis/ .huoye-cache/
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o -type d -name __pycache__ -print0 \
		| xargs -0 -r rm -rf
