import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IndexFile, OFFSET_ENTRY_BYTES } from '../../src/storage/index-file.js';
import { temporaryDir } from '../helpers/broker.js';

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

test('index files past the open-descriptor bound are closed and transparently reopened', (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const before = openDescriptors();
  const indexes: IndexFile[] = [];
  for (let i = 0; i < 1500; i++) {
    const index = IndexFile.create(join(dir.path, `${i}.index`), OFFSET_ENTRY_BYTES);
    for (let e = 0; e < 200; e++) index.append(e, e * 4096 + i); // more than the pending buffer holds
    indexes.push(index);
  }
  const held = openDescriptors() - before;
  t.true(held <= 1024, `index descriptors held: ${held}`);
  // The oldest indexes lost their descriptors; lookups reopen them and still find every entry.
  for (const i of [0, 1, 700, 1499]) {
    const index = indexes[i]!;
    t.is(index.count, 200);
    t.is(index.lastAtMost('a', 150), 150);
    t.is(index.b(199), 199 * 4096 + i);
  }
  for (const index of indexes) index.sync();
  for (const index of indexes) index.close();
  t.true(openDescriptors() - before <= 0);
});
