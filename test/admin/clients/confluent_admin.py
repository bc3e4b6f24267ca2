"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) helper for the config tests (run with /usr/bin/python3).

  describe-broker --bootstrap B --broker ID [--name N ...]   configs of a BROKER resource ("" = cluster default)
  alter-broker    --bootstrap B --broker ID --set k=v ...    AlterConfigs (replaces that level's whole set)
  produce-keyless --bootstrap B --topic T                    one record without a key; reports its delivery

Each command prints one JSON line on stdout and exits 0, or prints the reason on stderr and exits 1.
"""
import argparse
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource

TIMEOUT_S = 20


def admin(args):
    return AdminClient({'bootstrap.servers': args.bootstrap})


def describe_broker(args):
    resource = ConfigResource(ConfigResource.Type.BROKER, args.broker)
    client = admin(args)  # kept alive until the future resolves: a collected client cancels it
    entries = client.describe_configs([resource], request_timeout=TIMEOUT_S)[resource].result(timeout=TIMEOUT_S)
    wanted = set(args.name or [])
    out = {}
    for name, entry in entries.items():
        if wanted and name not in wanted:
            continue
        out[name] = {'value': entry.value, 'source': int(entry.source), 'read_only': bool(entry.is_read_only)}
    print(json.dumps(out))


def alter_broker(args):
    values = dict(item.split('=', 1) for item in args.set)
    resource = ConfigResource(ConfigResource.Type.BROKER, args.broker, set_config=values)
    client = admin(args)
    try:
        client.alter_configs([resource], request_timeout=TIMEOUT_S)[resource].result(timeout=TIMEOUT_S)
        print(json.dumps({'error': None}))
    except Exception as e:  # the KafkaException carries the broker's error
        error = e.args[0] if e.args else None
        code = error.code() if hasattr(error, 'code') else None
        print(json.dumps({'error': code, 'message': str(e)}))


def produce_keyless(args):
    reports = []
    producer = Producer({'bootstrap.servers': args.bootstrap, 'message.send.max.retries': 0, 'linger.ms': 0})
    producer.produce(args.topic, value=b'no key here', on_delivery=lambda err, msg: reports.append(err))
    if producer.flush(TIMEOUT_S) != 0 or not reports:
        print('the record was not delivered or failed within %d s' % TIMEOUT_S, file=sys.stderr)
        sys.exit(1)
    err = reports[0]
    print(json.dumps({'error': None if err is None else err.code(), 'name': None if err is None else err.name()}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('describe-broker', 'alter-broker', 'produce-keyless'):
        p = sub.add_parser(name)
        p.add_argument('--bootstrap', required=True)
        if name == 'produce-keyless':
            p.add_argument('--topic', required=True)
        else:
            p.add_argument('--broker', required=True)
            p.add_argument('--name', action='append')
            p.add_argument('--set', action='append', default=[])
    args = parser.parse_args()
    {'describe-broker': describe_broker, 'alter-broker': alter_broker, 'produce-keyless': produce_keyless}[args.command](args)


if __name__ == '__main__':
    main()
