"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) driver for the interop tests (run with /usr/bin/python3).

  create-topic --bootstrap B --topic T --partitions N [--config k=v ...]
  produce      --bootstrap B --topic T --input specs.jsonl [--compression gzip|snappy|lz4|zstd] [--linger-ms N]
               [--producer-config librdkafka.property=value ...]
  consume      --bootstrap B --topic T --count N --output out.jsonl [--group G] [--timeout S]

Each command prints one JSON summary line on stdout and exits 0, or prints the reason on stderr and exits 1.
It never waits past --timeout: consumers stop at --count messages (after a short drain that would reveal
extra deliveries) or when the deadline passes.
"""
import argparse
import os
import sys

from confluent_kafka import (OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME, Consumer,
                             KafkaError, KafkaException, Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

from jsonl import Deadline, consumed_line, fail, read_specs, summary

TIMESTAMP_TYPES = {TIMESTAMP_CREATE_TIME: 'create', TIMESTAMP_LOG_APPEND_TIME: 'log-append'}

# confluent-kafka 1.7.0's Message.headers() gives up one reference to None more than it takes for every null
# header value, so after a few thousand of them the interpreter aborts with "none_dealloc: deallocating None".
# Holding one extra reference per null header value we receive keeps None's count balanced while we run, and
# main() ends with os._exit() so that interpreter teardown never frees these references either.
_NONE_REFCOUNT_DEBT = []


def message_headers(msg):
    headers = msg.headers() or []
    _NONE_REFCOUNT_DEBT.extend(None for _, value in headers if value is None)
    return headers


def create_topic(args):
    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    configs = dict(item.split('=', 1) for item in args.config)
    futures = admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1,
                                            config=configs)], request_timeout=args.timeout)
    for topic, future in futures.items():
        try:
            future.result(timeout=args.timeout)
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            fail('CreateTopics %s failed: %r' % (topic, e))
    summary(created=args.topic)


def produce(args):
    specs = read_specs(args.input)
    conf = {
        'bootstrap.servers': args.bootstrap,
        'acks': 'all',
        'linger.ms': args.linger_ms,
        'message.timeout.ms': int(args.timeout * 1000),
        'max.in.flight.requests.per.connection': 1,
    }
    if args.compression:
        conf['compression.type'] = args.compression
    conf.update(item.split('=', 1) for item in args.producer_config)
    producer = Producer(conf)
    delivered = {}
    failures = []

    def on_delivery(err, msg):
        if err is not None:
            failures.append('%s [%s]: %s' % (msg.topic(), msg.partition(), err))
        else:
            delivered[msg.partition()] = delivered.get(msg.partition(), 0) + 1

    for spec in specs:
        kwargs = {'value': spec['value'], 'key': spec['key'], 'on_delivery': on_delivery}
        if spec['partition'] is not None:
            kwargs['partition'] = spec['partition']
        if spec['timestamp'] is not None:
            kwargs['timestamp'] = spec['timestamp']
        if spec['headers']:
            kwargs['headers'] = spec['headers']
        while True:
            try:
                producer.produce(args.topic, **kwargs)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    remaining = producer.flush(args.timeout)
    if remaining:
        fail('%d messages were not delivered within %s s' % (remaining, args.timeout))
    if failures:
        fail('%d deliveries failed, first: %s' % (len(failures), failures[0]))
    summary(produced=sum(delivered.values()), partitions={str(p): n for p, n in sorted(delivered.items())})


def consume(args):
    deadline = Deadline(args.timeout)
    consumer = Consumer({
        'bootstrap.servers': args.bootstrap,
        # librdkafka wants a group id even for assign(); without --group nothing is joined or committed.
        'group.id': args.group or 'spate-interop-unused',
        'client.id': 'spate-interop-confluent',
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': False,
        'fetch.wait.max.ms': 100,
        'session.timeout.ms': 10000,
        'heartbeat.interval.ms': 1000,
    })
    if args.group:
        consumer.subscribe([args.topic])
    else:
        metadata = consumer.list_topics(args.topic, timeout=deadline.left())
        topic = metadata.topics.get(args.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            fail('topic %s has no partitions in metadata: %r' % (args.topic, topic and topic.error))
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in sorted(topic.partitions)])

    count = 0
    last = {}
    with open(args.output, 'w', encoding='utf-8') as out:
        def poll(timeout):
            nonlocal count
            msg = consumer.poll(timeout)
            if msg is None:
                return
            if msg.error():
                if msg.error().fatal() or msg.error().code() != KafkaError._PARTITION_EOF:
                    fail('consumer error: %s' % msg.error())
                return
            ts_type, ts = msg.timestamp()
            out.write(consumed_line(msg.partition(), msg.offset(), msg.key(), msg.value(), message_headers(msg), ts,
                                    TIMESTAMP_TYPES.get(ts_type, 'none')))
            out.write('\n')
            last[msg.partition()] = msg.offset()
            count += 1

        while count < args.count and not deadline.expired():
            poll(0.5)
        if count < args.count:
            fail('consumed %d of %d messages before the %s s deadline' % (count, args.count, args.timeout))
        drain = Deadline(args.drain_ms / 1000.0)
        while not drain.expired():
            poll(max(drain.left(), 0.01))

    result = {'consumed': count}
    assigned = sorted(consumer.assignment(), key=lambda tp: tp.partition)
    result['end'] = {str(tp.partition): consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in assigned}
    if args.group:
        to_commit = [TopicPartition(args.topic, p, offset + 1) for p, offset in sorted(last.items())]
        try:
            consumer.commit(offsets=to_commit, asynchronous=False)
            committed = consumer.committed(assigned, timeout=10)
        except KafkaException as e:
            fail('commit failed: %s' % e)
        result['committed'] = {str(tp.partition): tp.offset for tp in committed}
    consumer.close()
    summary(**result)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('command', choices=['create-topic', 'produce', 'consume'])
    parser.add_argument('--bootstrap', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--partitions', type=int, default=1)
    parser.add_argument('--config', action='append', default=[])
    parser.add_argument('--input')
    parser.add_argument('--output')
    parser.add_argument('--compression', default=None)
    parser.add_argument('--producer-config', action='append', default=[], help='extra librdkafka property k=v')
    parser.add_argument('--linger-ms', type=int, default=5)
    parser.add_argument('--count', type=int, default=0)
    parser.add_argument('--group', default=None)
    parser.add_argument('--timeout', type=float, default=60)
    parser.add_argument('--drain-ms', type=int, default=300)
    args = parser.parse_args()
    {'create-topic': create_topic, 'produce': produce, 'consume': consume}[args.command](args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
