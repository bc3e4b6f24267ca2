// Piscina task for startup recovery: scans one segment file (length, magic, offset sequence, CRC-32C) and
// returns its valid length and rebuilt index entries. Stateless and read-only; the owning partition worker
// applies the result.
import type { RecoveryTask } from '../src/storage/recovery-pool.js';
import { type SegmentScan, scanSegmentFile } from '../src/storage/segment-scan.js';

export default function scanSegment(task: RecoveryTask): SegmentScan {
  return scanSegmentFile(task.path, task.baseOffset, task.verifyCrc, task.indexIntervalBytes);
}
