#!/usr/bin/python3
"""Commits one offset with kafka-python's protocol client, as OffsetCommit v2 with its own retention time.

usage: commit_with_retention.py BOOTSTRAP GROUP TOPIC PARTITION OFFSET RETENTION_MS

OffsetCommit v2-4 carry retention_time_ms: the offsets then expire that long after the commit, whatever
offsets.retention.minutes says (Kafka's OffsetCommit semantics; KafkaConsumer always sends -1, the broker's
retention). Prints {"error_code": N} and exits 0 when the broker answered.
"""
import json
import sys

from kafka.client_async import KafkaClient
from kafka.protocol.commit import GroupCoordinatorRequest, OffsetCommitRequest

bootstrap, group, topic, partition, offset, retention_ms = sys.argv[1:7]


def call(client, node_id, request):
    while not client.ready(node_id):
        client.poll(timeout_ms=100)
    future = client.send(node_id, request)
    client.poll(future=future, timeout_ms=10000)
    if not future.succeeded():
        sys.exit("request failed: %r" % (future.exception,))
    return future.value


client = KafkaClient(bootstrap_servers=bootstrap, client_id="commit-with-retention")
try:
    bootstrap_node = None
    while bootstrap_node is None:
        client.poll(timeout_ms=100)
        bootstrap_node = client.least_loaded_node()
    found = call(client, bootstrap_node, GroupCoordinatorRequest[0](group))
    if found.error_code != 0:
        sys.exit("FindCoordinator failed: error %d" % found.error_code)
    client.cluster.add_group_coordinator(group, found)
    coordinator = found.coordinator_id
    request = OffsetCommitRequest[2](group, -1, "", int(retention_ms), [(topic, [(int(partition), int(offset), "")])])
    response = call(client, coordinator, request)
    print(json.dumps({"error_code": response.topics[0][1][0][1]}))
finally:
    client.close()
