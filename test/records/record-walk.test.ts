// The record walk that checks a batch's declared record count against its bytes (src/records/record-walk.ts).
import test from 'ava';
import { countRecords } from '../../src/records/record-walk.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';

const RECORDS = 61;

function body(records: Parameters<typeof buildRecordBatch>[0]): Buffer {
  return buildRecordBatch(records).subarray(RECORDS);
}

test('counts exactly the records present, with keys, nulls, headers and multi-byte varints', (t) => {
  const b = body([
    { key: Buffer.from('k'), value: Buffer.alloc(300, 1), headers: [['h1', Buffer.from('x')], ['h2', Buffer.alloc(0)]], timestamp: 1_700_000_000_000 },
    { key: null, value: null, timestamp: 1_700_000_099_999 },
    { value: Buffer.from('v'), timestamp: 1_699_000_000_000 },
  ]);
  t.true(countRecords(b, 0, b.length, 3));
  t.false(countRecords(b, 0, b.length, 2), 'bytes left over');
  t.false(countRecords(b, 0, b.length, 4), 'a record missing');
  t.false(countRecords(b, 0, b.length - 1, 3), 'last record cut');
  t.false(countRecords(b, 0, b.length, 1_000_000_000), 'a billion claimed');
});

test('a record whose fields overrun its declared size, or with a null header key, is refused', (t) => {
  const b = Buffer.from(body([{ key: Buffer.from('key'), value: Buffer.from('value') }]));
  // b[0] is the record size (zig-zag); make it one byte shorter than the fields need.
  const shorter = Buffer.from(b);
  shorter[0] = shorter[0]! - 2;
  t.false(countRecords(shorter, 0, shorter.length, 1));
  const withHeader = Buffer.from(body([{ value: Buffer.from('v'), headers: [['h', Buffer.from('x')]] }]));
  t.true(countRecords(withHeader, 0, withHeader.length, 1));
  // Layout: size, attributes, ts delta, offset delta, key (-1), value length, 'v', header count, header key length...
  const nullKey = Buffer.from(withHeader);
  nullKey[8] = 0x01; // zig-zag -1
  t.false(countRecords(nullKey, 0, nullKey.length, 1));
  const negativeHeaders = Buffer.from(withHeader);
  negativeHeaders[7] = 0x01;
  t.false(countRecords(negativeHeaders, 0, negativeHeaders.length, 1));
});

test('an over-long varint or one running off the end is refused', (t) => {
  t.false(countRecords(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 6, 1));
  t.false(countRecords(Buffer.from([0x80]), 0, 1, 1));
  t.false(countRecords(Buffer.alloc(0), 0, 0, 1));
});
