// spate-metadata.json: the cluster id and every topic's name, id, partition count and config overrides, as of
// its last rewrite (the changes since then are in spate-metadata.log, see ./metadata-journal.ts). Read strictly
// (a file that is there but unusable stops the start with one line saying what is wrong and what to do, never a
// stack trace), written atomically (a crash leaves the old file or the new one, never a mix).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SpateError } from '../errors.js';
import { fsyncDir } from '../storage/io.js';
import { topicNameProblem } from './topic-name.js';

export const METADATA_FILE = 'spate-metadata.json';

export interface StoredTopic {
  name: string;
  id: string;
  partitions: number;
  configs: Record<string, string>;
}

export interface StoredMetadata {
  version: 1;
  clusterId: string;
  topics: StoredTopic[];
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ZERO_UUID = /^[0-]+$/;

function invalid(dataDir: string, problem: string): SpateError {
  return new SpateError(
    'SPATE_METADATA_INVALID',
    `${join(dataDir, METADATA_FILE)} ${problem}; restore it from a backup, or move it away and start again to rebuild the topics from their partition directories (topic ids and config overrides are then lost)`,
  );
}

/** Why `value` is not a stored topic, or null (`at`: its place in the topics list, for the message). */
export function storedTopicProblem(value: unknown, at: number): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `topics[${at}] is not an object`;
  const t = value as Record<string, unknown>;
  if (typeof t.name !== 'string') return `topics[${at}] has no name`;
  const nameProblem = topicNameProblem(t.name);
  if (nameProblem !== null) return `topics[${at}]: ${nameProblem}`;
  if (typeof t.id !== 'string' || !UUID.test(t.id) || ZERO_UUID.test(t.id)) return `topic '${t.name}' has no valid id`;
  if (!Number.isSafeInteger(t.partitions) || (t.partitions as number) < 1) return `topic '${t.name}' has no valid partition count`;
  if (typeof t.configs !== 'object' || t.configs === null || Array.isArray(t.configs)) return `topic '${t.name}' has no configs object`;
  for (const [key, v] of Object.entries(t.configs)) if (typeof v !== 'string') return `topic '${t.name}' config '${key}' is not a string`;
  return null;
}

/** Why `value` is not StoredMetadata, or null. */
function metadataProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const m = value as Record<string, unknown>;
  if (m.version !== 1) return `has version ${JSON.stringify(m.version)}, expected 1`;
  if (typeof m.clusterId !== 'string' || m.clusterId === '') return 'has no cluster id';
  if (!Array.isArray(m.topics)) return 'has no topics list';
  const names = new Set<string>();
  const ids = new Set<string>();
  for (let i = 0; i < m.topics.length; i++) {
    const problem = storedTopicProblem(m.topics[i], i);
    if (problem !== null) return `is damaged: ${problem}`;
    const t = m.topics[i] as StoredTopic;
    if (names.has(t.name)) return `is damaged: topic '${t.name}' appears twice`;
    if (ids.has(t.id.toLowerCase())) return `is damaged: topic id ${t.id} appears twice`;
    names.add(t.name);
    ids.add(t.id.toLowerCase());
  }
  return null;
}

/** The stored metadata; null when there is no file. Throws SPATE_METADATA_INVALID when it is there but unusable. */
export function readMetadataFile(dataDir: string): StoredMetadata | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, METADATA_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw invalid(dataDir, `cannot be read (${code ?? (error as Error).message})`);
  }
  if (text.trim() === '') throw invalid(dataDir, 'is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(dataDir, `is not valid JSON (${(error as Error).message})`);
  }
  const problem = metadataProblem(parsed);
  if (problem !== null) throw invalid(dataDir, problem);
  return parsed as StoredMetadata;
}

/** Replaces the file atomically and durably: temporary file, fsync, rename, fsync of the directory. */
export function writeMetadataFile(dataDir: string, stored: StoredMetadata): void {
  const target = join(dataDir, METADATA_FILE);
  const temporary = `${target}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, JSON.stringify(stored, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, target);
  // Without this a power loss could undo the rename: a created topic would vanish while its data stays.
  fsyncDir(dataDir);
}
