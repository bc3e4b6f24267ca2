#!/bin/sh
# librdkafka's own integration test suite against Spate.
#   LIBRDKAFKA_SRC=/path/to/librdkafka perf/librdkafka-suite.sh [--tests 0001,0081] [--parallel 2] [--out PREFIX]
# LIBRDKAFKA_SRC is a checkout of github.com/confluentinc/librdkafka (v2.10.1 is what the README's counts used);
# nothing of it is copied here. It is built in place once (./configure, make libs, make -C tests build: a few
# minutes; needs build-essential pkg-config libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev
# libcurl4-openssl-dev rapidjson-dev), then Spate is built and every test that needs a broker runs against a
# fresh Spate of its own. Results: perf/results/librdkafka-<date>.{md,json}.
set -eu
: "${LIBRDKAFKA_SRC:?set LIBRDKAFKA_SRC to a librdkafka source checkout}"
repo=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$LIBRDKAFKA_SRC" && pwd)

if [ ! -x "$src/tests/test-runner" ]; then
  echo "building librdkafka in $src"
  (cd "$src" && { [ -f config.h ] || ./configure; } && make -j2 libs && make -C tests -j2 build)
fi

export PATH="$repo/node_modules/.bin:$PATH"
(cd "$repo" && npx tsc -p tsconfig.json)
exec node "$repo/dist/perf/librdkafka/run-suite.js" --librdkafka-src "$src" "$@"
