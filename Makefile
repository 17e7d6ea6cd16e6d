# The verbs of the project. `make run` and `make test` work on a fresh Debian machine of this kind:
# both install what is missing first (tools/install-deps, tools/npm-ci) and are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := help
KINO := build/bin/kino
# ccache: hit across checkouts in other folders (CI clones afresh; the cache in $HOME stays).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: help deps build server web run cluster test test-unit test-asan test-tsan test-integration test-web test-e2e test-cluster test-fuzz \
        fuzz bench bench-load format lint clean

help:
	@echo "make run    build and start Kino on http://127.0.0.1:8080"
	@echo "make cluster  build and start a local cluster (3 Kino nodes, HAProxy, PostgreSQL, NATS, Swift, Janus) in a network namespace"
	@echo "make test   build and run every test layer (unit, tidy, asan, tsan, fuzz, integration, postgres, cluster, web, e2e)"
	@echo "make build | fuzz | format | lint | clean"

deps:
	@tools/install-deps
	@tools/npm-ci web
	@tools/npm-ci tests

server: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev

web: deps
	@cd web && npm run --silent build
	@rm -rf build/bin/web && mkdir -p build/bin && cp -r web/dist build/bin/web

build: server web

run: build
	$(KINO) serve --config kino.toml

# A local cluster in the network namespace kino-cluster (root): 3 Kino nodes behind HAProxy, PostgreSQL
# under Patroni + etcd, 3 NATS servers, Swift (S3), 2 Janus nodes. Prints the URL; Ctrl-C stops it all.
cluster: build
	@tools/cluster

test: build
	@tools/test-all

test-unit: server
	@ctest --test-dir build --output-on-failure

test-asan: deps
	@cmake --preset asan >/dev/null && cmake --build --preset asan --target kino_unit_tests kino_janus_tests kino_s3_tests
	@ctest --test-dir build/asan --output-on-failure

# ThreadSanitizer (clang, preset tsan): the unit tests (room actors on real strands, the hub, the
# registries), the Janus client/pool tests against a real Janus and the S3 store against a real
# Swift. The same build checks the lock annotations (-Werror=thread-safety).
test-tsan: deps
	@cmake --preset tsan >/dev/null && cmake --build --preset tsan --target kino_unit_tests kino_janus_tests kino_s3_tests
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --test-dir build/tsan --output-on-failure

test-integration: build
	@node --test tests/integration/*.test.mjs

test-web: deps
	@cd web && npm run --silent lint && npm test

# Cluster and chaos tests (PostgreSQL failover with Patroni + etcd, ...): slower, so not in `make test`;
# .ci/run runs both. Each test makes its own private network namespace.
test-cluster: build
	@node --test --test-concurrency=1 tests/cluster/*.test.mjs

test-e2e: build
	@node --test --test-concurrency=1 tests/e2e/*.test.mjs

test-fuzz: deps
	@tools/run-fuzzers 20

fuzz: deps
	@tools/run-fuzzers 300

# The realtime load generator against one Kino (LOAD_SCENARIO=quick|seed|stress|idle; see the script).
bench-load: build
	@bash -c 'ulimit -n 65536 2>/dev/null || ulimit -n "$$(ulimit -Hn)"; exec node bench/load.bench.mjs'

bench: build
	@build/bin/kino_store_bench
	@node bench/ingest.bench.mjs
	@node bench/playback.bench.mjs
	@node bench/video.bench.mjs
	@node bench/archive.bench.mjs

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: server
	@tools/run-clang-tidy
	@cd web && npm run --silent lint

clean:
	rm -rf build web/dist
