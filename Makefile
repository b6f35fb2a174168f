# The README's two commands are `make run` and `make test`.
.PHONY: run shell test install train lint nlu-report typed-report freeze clean token demo-reset prod prod-stop test-production bench bench-smoke demo-analytics

run:            ## install, seed the demo shop, train if stale, start the assistant
	scripts/run.sh

shell:          ## the same, chatting in the terminal
	scripts/run.sh shell

prod:           ## production set-up on this machine: PostgreSQL, Redis, 2 Rasa replicas, nginx on :8080
	scripts/run_prod.sh

prod-stop:      ## stop what `scripts/run_prod.sh start` started
	scripts/run_prod.sh stop

test-production: ## fault and fuzz tests against real PostgreSQL and Redis (tests/production)
	scripts/install.sh --dev
	scripts/test_deps.sh
	[ -n "$$SHOP_MODEL" ] || scripts/train_if_stale.sh
	.venv/bin/python -m pytest -q -rs tests/production

bench:          ## load benchmark: embedded, two replicas, stock rasa init (docs/performance.md)
	scripts/install.sh --dev
	[ -n "$$SHOP_MODEL" ] || scripts/train_if_stale.sh
	.venv/bin/python -m bench $(BENCH_ARGS)

bench-smoke:    ## a few buyers for a few seconds, embedded only (CI)
	scripts/install.sh --dev
	[ -n "$$SHOP_MODEL" ] || scripts/train_if_stale.sh
	.venv/bin/python -m bench --smoke

test:           ## install what is missing and run every check
	scripts/test.sh

install:
	scripts/install.sh --dev

train: install
	scripts/train_if_stale.sh

lint:
	.venv/bin/ruff check actions channels shop rasa_ext console nlu_components trainer tests scripts bench
	.venv/bin/ruff format --check actions channels shop rasa_ext console nlu_components trainer tests scripts bench
	.venv/bin/mypy actions channels shop rasa_ext console nlu_components trainer
	.venv/bin/lint-imports --no-cache

nlu-report: train  ## NLU cross-validation, own held-out split and ../shared/eval, written to docs/
	scripts/nlu_report.sh

typed-report:   ## typed buyer conversations against the real servers: "typed conversations settled: N/M"
	.venv/bin/python -m pytest -q tests/e2e/test_typed_conversations.py || true
	cat var/typed_report.txt

token:          ## print a buyer token for the demo: make token BUYER=B005
	.venv/bin/python -m shop.identity $(or $(BUYER),B005)

demo-reset:     ## re-import the demo shop (fresh relative dates; keeps conversations' photos, escalations, ratings)
	.venv/bin/python -m shop.db.importer seed/demo_shop.json --replace

.PHONY: screenshots
screenshots:    ## the README's demo shop screenshots (docs/img/), against running servers (make run)
	scripts/install_browser.sh
	.venv/bin/python scripts/screenshot_demo.py

demo-analytics: ## demo conversations, ratings and returns for the owner page (docs/owner.md)
	SHOP_DEMO=1 .venv/bin/python -m console.demo_analytics

freeze:
	.venv/bin/pip freeze --exclude-editable | sed '1i # Every package of the environment pinned: pip install -r requirements*.txt -c constraints.txt\n# Regenerate with: make freeze' > constraints.txt

clean:
	rm -rf models results var .pytest_cache .mypy_cache .ruff_cache
