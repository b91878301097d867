# The two commands a newcomer needs: `make run` and `make test`. The rest are steps they use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@echo "make run       set up, train if needed, start the bot, action server and web page"
	@echo "make test      set up, train if needed, run every check"
	@echo "make test-fast the inner loop: unit tests, knowledge and data checks; no servers, no training (< 1 min)"
	@echo "make run-cluster  production layout: PostgreSQL, Redis, 2 Rasa replicas behind nginx on 5005"
	@echo "make test-containers  build the container images, run the compose layout, fail a replica and PostgreSQL over (docs/containers.md)"
	@echo "make setup     only install what is missing (.venv, model package, widget)"
	@echo "make train     train only if data or config changed"
	@echo "make evaluate  NLU cross-validation with and without spaCy features (slow)"
	@echo "make bench     the advisor against a stock rasa init bot: latency, load, training, start-up, memory"
	@echo "make clean     remove trained models and test output"
	@echo "make workbench the trainers' workbench on http://127.0.0.1:8001/ (conversations, inbox, checks, reports)"
	@echo "make workbench-user NAME=anna [EMAIL=…] [LINK=1] [REVOKE=1]   a trainer with their own token and login link; revoke"
	@echo "make workbench-users / workbench-audit   the workbench's users; the audit log's newest entries and its hash chain"
	@echo "make check     knowledge schema, rasa data validate, lint, test stories (make lint: the lint alone)"
	@echo "make test-stories / nlu-report / analytics   reports; HTML under reports/"
	@echo "make export ID=<conversation id>   one conversation as JSON (subject-access request, PRIVACY.md)"
	@echo "make forget ID=<conversation id>   erase one conversation everywhere (asks first; PRIVACY.md)"

setup:
	@scripts/setup.sh

train: setup
	@scripts/train.sh

run:
	@scripts/run.sh

run-cluster:
	@scripts/cluster.sh

test:
	@scripts/test.sh

test-fast:
	@scripts/test-fast.sh

test-containers:
	@scripts/test-containers.sh

bench: setup
	@STEP=bench; source scripts/common.sh; "$$PY" bench/run.py

evaluate: setup
	@scripts/evaluate.sh

clean:
	rm -rf models results reports .run .pytest_cache

workbench check lint test-stories nlu-report analytics:
	@scripts/workbench.sh $(subst workbench,serve,$@)

workbench-user:
	@$(if $(NAME),,echo "make workbench-user NAME=<trainer> [EMAIL=…] [LINK=1] [REVOKE=1]" >&2; exit 2;) \
	scripts/workbench.sh user "$(NAME)" $(if $(EMAIL),--email "$(EMAIL)") $(if $(REVOKE),--revoke) $(if $(LINK),--link)

workbench-users:
	@scripts/workbench.sh users

workbench-audit:
	@scripts/workbench.sh audit

# The conversation id reaches the command through the environment (make puts command-line variables there),
# never through the shell's parsing of the recipe.
forget export:
	@[ -n "$$ID" ] || { echo "usage: make $@ ID=<conversation id>, e.g. make $@ ID=rest:anna"; exit 2; }
	@scripts/workbench.sh $@ "$$ID"

.PHONY: help setup train run run-cluster test test-fast test-containers evaluate bench clean workbench check lint test-stories nlu-report analytics workbench-user workbench-users workbench-audit forget export
