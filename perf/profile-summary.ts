// Summarises V8 .cpuprofile files (node --cpu-prof): self time per function, summed over every profile in a
// directory (the broker's main thread and each partition worker write one each).
//
//   node dist/perf/profile-summary.js DIR [--top 15]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  thread: string;
  ms: number;
  share: number;
}

export function summariseProfiles(dir: string, top = 15): { rows: SelfTime[]; totalMs: number } {
  const byKey = new Map<string, SelfTime>();
  let totalMs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const samples = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    if (samples === 0) continue;
    const msPerSample = (profile.endTime - profile.startTime) / 1000 / samples;
    const thread = profile.nodes.some((n) => /\/workers\/partition-worker\.js$/.test(n.callFrame.url)) ? 'worker' : 'main';
    for (const n of profile.nodes) {
      const hits = n.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = n.callFrame;
      const name = functionName || '(anonymous)';
      // Idle: the event loop's poll, and a partition worker asleep in Atomics.wait on its ring.
      if (name === '(idle)' || (name === 'wait' && url.includes('threads/ring'))) continue;
      const where = url === '' ? '' : `${url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;
      const key = `${thread}|${name}|${where}`;
      const ms = hits * msPerSample;
      totalMs += ms;
      const row = byKey.get(key) ?? { name, where: basename(where) === where ? where : where, thread, ms: 0, share: 0 };
      row.ms += ms;
      byKey.set(key, row);
    }
  }
  const rows = [...byKey.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
  for (const r of rows) r.share = totalMs > 0 ? r.ms / totalMs : 0;
  return { rows, totalMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: profile-summary.js DIR [--top N]');
  const topAt = process.argv.indexOf('--top');
  const { rows, totalMs } = summariseProfiles(dir, topAt > 0 ? Number(process.argv[topAt + 1]) : 15);
  console.log(`busy (non-idle) time: ${totalMs.toFixed(0)} ms`);
  for (const r of rows) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.thread.padEnd(6)}  ${r.name}  ${r.where}`);
}
