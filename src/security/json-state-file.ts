// A small JSON file of broker state in the data dir (ACLs, client quotas): read strictly, replaced atomically and
// durably without blocking the event loop (temporary file, fsync, rename, fsync of the directory), so a crash
// leaves the old file or the new one, never a mix.
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { SpateError } from '../errors.js';

export class JsonStateFile {
  readonly path: string;
  readonly #dir: string;
  /** Writes are queued so two changes never race on the temporary file. */
  #writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, name: string) {
    this.#dir = dataDir;
    this.path = join(dataDir, name);
  }

  /** The parsed file, or undefined when there is none; a file that is there but unreadable or not JSON throws. */
  async read(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw this.invalid(`cannot be read (${code ?? (error as Error).message})`);
    }
    if (text.trim() === '') throw this.invalid('is empty');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.invalid(`is not valid JSON (${(error as Error).message})`);
    }
  }

  /** A coded start-up error naming the file: it is never overwritten, an operator restores or removes it. */
  invalid(problem: string): SpateError {
    return new SpateError('SPATE_SECURITY_FILE_INVALID', `${this.path} ${problem}; restore it from a backup, or move it away to start without it`);
  }

  /** Replaces the file with `value`; resolves once the new content is durable. */
  write(value: unknown): Promise<void> {
    const text = JSON.stringify(value, null, 2);
    const next = this.#writing.then(() => this.#replace(text));
    // A failed write does not poison the queue; its caller sees the error.
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async #replace(text: string): Promise<void> {
    const temporary = `${this.path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
