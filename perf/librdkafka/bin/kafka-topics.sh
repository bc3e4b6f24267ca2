#!/bin/sh
# librdkafka's tests run "$KAFKA_PATH/bin/kafka-topics.sh ..."; this one forwards to Spate's stand-in.
# Its own LD_LIBRARY_PATH is not ours to inherit, and Node 24 comes from the checkout's node_modules.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
unset LD_LIBRARY_PATH
exec "$repo/node_modules/.bin/node" "$repo/dist/perf/librdkafka/kafka-topics.js" "$@"
