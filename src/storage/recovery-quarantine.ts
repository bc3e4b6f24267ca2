// Recovery never destroys bytes of a sealed segment: before a damaged segment is cut back to its last valid
// batch, the bytes after that point are copied next to it, durably, as `<segment>.log.quarantined-at-<position>`.
// Nothing reads these files; they are left for an operator to inspect or remove (the valid batches in them can be
// recovered by hand), and deleting the topic removes them with its directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, preadFully } from './io.js';

const COPY_CHUNK_BYTES = 1024 * 1024;

export function quarantineFileName(segmentFile: string, position: number): string {
  return `${path.basename(segmentFile)}.quarantined-at-${position}`;
}

/**
 * Copies bytes [from, to) of `segmentFile` to its quarantine file and fsyncs it and the directory, so the cut
 * that follows can never lose them. Returns the quarantine file's path. Throws when the copy cannot be made:
 * the caller must then leave the segment as it is.
 */
export function quarantineTail(segmentFile: string, from: number, to: number): string {
  const target = path.join(path.dirname(segmentFile), quarantineFileName(segmentFile, from));
  const source = fs.openSync(segmentFile, 'r');
  try {
    const out = fs.openSync(target, 'w', 0o644);
    try {
      const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, Math.max(1, to - from)));
      for (let pos = from; pos < to; ) {
        const got = preadFully(source, chunk, 0, Math.min(chunk.length, to - pos), pos);
        if (got === 0) break;
        let written = 0;
        while (written < got) written += fs.writeSync(out, chunk, written, got - written);
        pos += got;
      }
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
  } finally {
    fs.closeSync(source);
  }
  fsyncDir(path.dirname(segmentFile));
  return target;
}
