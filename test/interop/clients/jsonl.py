"""Shared by the Python client drivers: the JSON-lines formats they exchange with the TypeScript tests.

Message specs (read by `produce`), one object per line:
  {"p": partition or null, "k": base64 or null, "v": base64 or null,
   "h": [[name, base64 or null], ...], "ts": epoch ms or null}
Consumed messages (written by `consume`), one object per line:
  {"p": partition, "o": offset, "k": ..., "v": ..., "h": [...], "ts": epoch ms, "tt": "create"|"log-append"|"none"}
"""
import base64
import json
import os
import sys
import time


def b64(data):
    return None if data is None else base64.b64encode(bytes(data)).decode('ascii')


def unb64(text):
    return None if text is None else base64.b64decode(text)


def read_specs(path):
    specs = []
    with open(path, 'r', encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            raw = json.loads(line)
            specs.append({
                'partition': raw.get('p'),
                'key': unb64(raw.get('k')),
                'value': unb64(raw.get('v')),
                'headers': [(name, unb64(value)) for name, value in raw.get('h') or []],
                'timestamp': raw.get('ts'),
            })
    return specs


def consumed_line(partition, offset, key, value, headers, timestamp, timestamp_type):
    return json.dumps({
        'p': partition,
        'o': offset,
        'k': b64(key),
        'v': b64(value),
        'h': [[name, b64(value)] for name, value in headers or []],
        'ts': timestamp,
        'tt': timestamp_type,
    }, separators=(',', ':'))


def summary(**fields):
    """The one line a driver prints on stdout when it succeeds."""
    print(json.dumps(fields, separators=(',', ':')), flush=True)


def fail(message):
    """Exits 1 at once: no interpreter teardown, which could wait on a client's background threads."""
    print(message, file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(1)


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def expired(self):
        return self.left() <= 0
