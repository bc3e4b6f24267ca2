"""kafka-python 2.0.2 driver for the interop tests (run with Debian's /usr/bin/python3).

  create-topic --bootstrap B --topic T --partitions N [--config k=v ...]
  produce      --bootstrap B --topic T --input specs.jsonl [--compression gzip|snappy|lz4|zstd] [--linger-ms N]
               [--batch-size BYTES]
  consume      --bootstrap B --topic T --count N --output out.jsonl [--group G] [--timeout S]

Each command prints one JSON summary line on stdout and exits 0, or prints the reason on stderr and exits 1.
It never waits past --timeout: consumers stop at --count messages (after a short drain that would reveal
extra deliveries) or when the deadline passes.
"""
import argparse
import logging
import os
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from jsonl import Deadline, consumed_line, fail, read_specs, summary

TIMESTAMP_TYPES = {0: 'create', 1: 'log-append'}


def create_topic(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=int(args.timeout * 1000))
    try:
        configs = dict(item.split('=', 1) for item in args.config)
        response = admin.create_topics([NewTopic(args.topic, args.partitions, 1, topic_configs=configs)])
        errors = [(topic, code, *rest) for topic, code, *rest in response.topic_errors if code != 0]
        if errors:
            fail('CreateTopics failed: %r' % (errors,))
        summary(created=args.topic, version=response.API_VERSION)
    finally:
        admin.close()


def produce(args):
    specs = read_specs(args.input)
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        acks='all',
        compression_type=args.compression,
        linger_ms=args.linger_ms,
        batch_size=args.batch_size,
        max_in_flight_requests_per_connection=1,
        request_timeout_ms=int(args.timeout * 1000),
        max_block_ms=int(args.timeout * 1000),
    )
    futures = []
    for spec in specs:
        for name, value in spec['headers']:
            if value is None:
                fail('kafka-python cannot send a null header value (header %r)' % name)
        futures.append(producer.send(
            args.topic,
            value=spec['value'],
            key=spec['key'],
            headers=spec['headers'],
            partition=spec['partition'],
            timestamp_ms=spec['timestamp'],
        ))
    producer.flush(timeout=args.timeout)
    per_partition = {}
    for index, future in enumerate(futures):
        if not future.is_done:
            fail('message %d was not acknowledged within %s s' % (index, args.timeout))
        if future.failed():
            fail('message %d failed: %r' % (index, future.exception))
        metadata = future.value
        per_partition[metadata.partition] = per_partition.get(metadata.partition, 0) + 1
    producer.close(timeout=args.timeout)
    summary(produced=len(futures), partitions={str(p): n for p, n in sorted(per_partition.items())})


def consume(args):
    deadline = Deadline(args.timeout)
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        client_id='spate-interop-kafka-python',
        enable_auto_commit=False,
        auto_offset_reset='earliest',
        max_poll_records=1000,
        fetch_max_wait_ms=100,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )
    if args.group:
        consumer.subscribe([args.topic])
    else:
        partitions = None
        while not partitions:
            if deadline.expired():
                fail('topic %s has no partitions in metadata' % args.topic)
            partitions = consumer.partitions_for_topic(args.topic)
        consumer.assign([TopicPartition(args.topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()

    count = 0
    with open(args.output, 'w', encoding='utf-8') as out:
        def poll(timeout_ms):
            nonlocal count
            batches = consumer.poll(timeout_ms=timeout_ms)
            for records in batches.values():
                for r in records:
                    out.write(consumed_line(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp,
                                            TIMESTAMP_TYPES.get(r.timestamp_type, 'none')))
                    out.write('\n')
                    count += 1

        while count < args.count and not deadline.expired():
            poll(500)
        if count < args.count:
            fail('consumed %d of %d messages before the %s s deadline' % (count, args.count, args.timeout))
        poll(args.drain_ms)

    result = {'consumed': count}
    assigned = sorted(consumer.assignment(), key=lambda tp: tp.partition)
    result['end'] = {str(tp.partition): off for tp, off in sorted(consumer.end_offsets(assigned).items(),
                                                                  key=lambda item: item[0].partition)}
    if args.group:
        consumer.commit()
        result['committed'] = {str(tp.partition): consumer.committed(tp) for tp in assigned}
    consumer.close(autocommit=False)
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
    parser.add_argument('--linger-ms', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=16384, help='producer batch.size in bytes')
    parser.add_argument('--count', type=int, default=0)
    parser.add_argument('--group', default=None)
    parser.add_argument('--timeout', type=float, default=60)
    parser.add_argument('--drain-ms', type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    {'create-topic': create_topic, 'produce': produce, 'consume': consume}[args.command](args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # like fail(): never wait on the client's background threads at teardown


if __name__ == '__main__':
    main()
