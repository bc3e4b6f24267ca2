#!/usr/bin/python3
"""One consumer-group member for Spate's end-to-end group tests.

usage: group_consumer.py (kafka-python|confluent) BOOTSTRAP GROUP TOPIC [ASSIGNMENT_STRATEGY]

Prints one JSON object per line on stdout: {"e":"assigned","p":[...]}, {"e":"revoked","p":[...]},
{"e":"lost","p":[...]} (confluent-kafka: the client dropped partitions itself, see on_lost),
{"e":"msg","p":partition,"o":offset,"v":value}, {"e":"error","msg":...}, {"e":"closed"}. Offsets are
committed synchronously after every poll that returned messages. A line "stop" on stdin (or stdin closing)
makes it commit, leave the group and exit 0.
"""
import json
import sys
import threading

client, bootstrap, group, topic = sys.argv[1:5]
strategy = sys.argv[5] if len(sys.argv) > 5 else None
stop = threading.Event()
out_lock = threading.Lock()


def emit(**event):
    with out_lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()


def run_kafka_python():
    from kafka import KafkaConsumer, ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit(e="revoked", p=sorted(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            emit(e="assigned", p=sorted(tp.partition for tp in assigned))

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="kafka-python-" + group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=200,
        fetch_max_wait_ms=100,
        metadata_max_age_ms=5000,
    )
    consumer.subscribe([topic], listener=Listener())
    emit(e="ready")
    while not stop.is_set():
        batches = consumer.poll(timeout_ms=100)
        got = False
        for tp, records in batches.items():
            for r in records:
                got = True
                emit(e="msg", p=tp.partition, o=r.offset, v=r.value.decode())
        if got:
            consumer.commit()
    consumer.close()
    emit(e="closed")


def run_confluent():
    from confluent_kafka import Consumer, KafkaException

    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "client.id": "confluent-" + group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 200,
        "fetch.wait.max.ms": 100,
        "topic.metadata.refresh.interval.ms": 5000,
    }
    if strategy:
        conf["partition.assignment.strategy"] = strategy
    consumer = Consumer(conf)

    def on_assign(_c, partitions):
        emit(e="assigned", p=sorted(tp.partition for tp in partitions))

    def on_revoke(_c, partitions):
        emit(e="revoked", p=sorted(tp.partition for tp in partitions))

    # librdkafka calls this instead of on_revoke when it gives up partitions on its own, after an error,
    # rather than because the group's assignment took them away.
    def on_lost(_c, partitions):
        emit(e="lost", p=sorted(tp.partition for tp in partitions))

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    emit(e="ready")
    while not stop.is_set():
        # poll(), one message at a time, not consume(num_messages=N): in librdkafka before 2.1.0 (Debian ships
        # 2.0.2) the batch call loses messages when a partition is paused and resumed meanwhile, which the
        # cooperative assignor does to the partitions a member keeps on every incremental rebalance: messages
        # already fetched are dropped, and their offsets are stored (so committed) all the same. See "Poor
        # Consumer batch API messaging guarantees" in librdkafka's 2.0.0 release notes, fixed in 2.1.0.
        good = []
        m = consumer.poll(0.1)
        while m is not None:
            if m.error() is not None:
                emit(e="error", msg=str(m.error()))
            else:
                good.append(m)
                emit(e="msg", p=m.partition(), o=m.offset(), v=m.value().decode())
            if len(good) >= 500:
                break
            m = consumer.poll(0)
        if good:
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as err:
                # A commit racing a rebalance fails; the records are delivered again (at-least-once).
                emit(e="error", msg="commit: " + str(err))
    consumer.close()
    emit(e="closed")


if client == "kafka-python":
    run_kafka_python()
elif client == "confluent":
    run_confluent()
else:
    sys.exit("unknown client " + client)
