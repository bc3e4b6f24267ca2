// Positioned I/O helpers shared by segments, indexes and the recovery scan.
import * as fs from 'node:fs';

/** Reads until `length` bytes arrived or EOF; returns the count. Works on SharedArrayBuffer views. */
export function preadFully(fd: number, target: Uint8Array, targetOffset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function pwriteFully(fd: number, source: Uint8Array, sourceOffset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    done += fs.writeSync(fd, source, sourceOffset + done, length - done, position + done);
  }
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
