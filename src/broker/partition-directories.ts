// The `<topic>-<partition>` directories of a data dir, read back without the metadata file: to rebuild the
// topic list when spate-metadata.json is lost, and to notice directories the metadata does not know.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpateError } from '../errors.js';
import { parseSegmentFileName } from '../storage/segment.js';
import { METADATA_FILE } from './metadata-file.js';
import { topicNameProblem } from './topic-name.js';

// The partition is always the last `-` part, so `a-1-0` is partition 0 of topic `a-1`. Spate writes the index
// without leading zeros; anything else is not one of its directories.
const PARTITION_DIR = /^(.+)-(0|[1-9]\d{0,8})$/;

export function partitionDirName(topic: string, index: number): string {
  return `${topic}-${index}`;
}

/** Topic and partition a directory name stands for, or null when it is not a partition directory's name. */
export function parsePartitionDirName(name: string): { topic: string; index: number } | null {
  const m = PARTITION_DIR.exec(name);
  if (m === null || topicNameProblem(m[1]!) !== null) return null;
  return { topic: m[1]!, index: Number(m[2]) };
}

/** Every directory of `dataDir` named like a partition directory, by topic (indexes ascending). */
export function partitionDirectoriesByName(dataDir: string): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const parsed = parsePartitionDirName(entry.name);
    if (parsed === null) continue;
    const list = byTopic.get(parsed.topic);
    if (list) list.push(parsed.index);
    else byTopic.set(parsed.topic, [parsed.index]);
  }
  for (const list of byTopic.values()) list.sort((a, b) => a - b);
  return byTopic;
}

function holdsSegments(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => parseSegmentFileName(name) !== null);
  } catch {
    return false;
  }
}

export interface RebuiltTopic {
  name: string;
  partitions: number;
}

/**
 * The topics the partition logs in `dataDir` belong to, for a data dir whose metadata file is lost. Only
 * directories holding segment files count (a partition log always has one). A topic whose partitions are not
 * exactly 0..n-1 cannot be rebuilt without guessing: SPATE_METADATA_INVALID says which directories to look at.
 */
export function topicsFromPartitionDirectories(dataDir: string): RebuiltTopic[] {
  const topics: RebuiltTopic[] = [];
  for (const [name, found] of partitionDirectoriesByName(dataDir)) {
    const indexes = found.filter((i) => holdsSegments(join(dataDir, partitionDirName(name, i))));
    if (indexes.length === 0) continue;
    const missing = indexes.findIndex((index, at) => index !== at);
    if (missing >= 0) {
      const present = indexes.map((i) => partitionDirName(name, i)).join(', ');
      throw new SpateError(
        'SPATE_METADATA_INVALID',
        `${join(dataDir, METADATA_FILE)} is missing and topic '${name}' cannot be rebuilt from its partition directories: found partition logs ${present}, but none in ${partitionDirName(name, missing)}; restore ${METADATA_FILE} from a backup, or move the directories that do not belong to a topic out of ${dataDir}`,
      );
    }
    topics.push({ name, partitions: indexes.length });
  }
  return topics;
}
