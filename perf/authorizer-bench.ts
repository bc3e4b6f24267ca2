// Produce throughput with the authorizer off and on: `spate bench produce` (small messages, so requests are many
// and authorization's share is largest) against a broker process without authorizer.class.name, and one with the
// standard authorizer where the bench's principal (User:ANONYMOUS) is allowed by ACLs (not as a super user, so
// every request goes through the ACL decision and its cache). Runs alternate; prints the medians.
//
//   npm run build && node dist/perf/authorizer-bench.js [--runs 3] [--duration 10]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../src/protocol/error-codes.js';
import { ApiKey, type CreateAclsResponse } from '../src/protocol/generated/index.js';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../src/security/acl-model.js';
import { STANDARD_AUTHORIZER_CLASS } from '../src/security/authorizer.js';
import { CLI, startBrokerProcess } from '../test/helpers/broker.js';
import { RawClient } from '../test/helpers/raw-client.js';
import { run } from '../test/interop/drivers.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, duration: { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);
const DURATION = Number(values.duration);
const TOPIC = 'authz-bench';

interface Result {
  msgsPerSec: number;
  mbPerSec: number;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Lets User:ANONYMOUS create, describe and write the bench topic through ACLs (created while it is the super user). */
async function allowBench(port: number): Promise<void> {
  const admin = await RawClient.connect(port, '127.0.0.1', 'authz-bench-admin');
  try {
    const creations = [AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.WRITE].map((operation) => ({
      resourceType: ResourceType.TOPIC,
      resourceName: TOPIC,
      resourcePatternType: PatternType.LITERAL,
      principal: 'User:ANONYMOUS',
      host: '*',
      operation,
      permissionType: AclPermissionType.ALLOW,
    }));
    const response = await admin.request<CreateAclsResponse>(ApiKey.CreateAcls, 3, { creations });
    if (response.results.some((r) => r.errorCode !== ErrorCode.NONE)) throw new Error(`CreateAcls: ${JSON.stringify(response.results)}`);
  } finally {
    await admin.close();
  }
}

async function benchOnce(authorizer: boolean): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'spate-authz-bench-'));
  try {
    const authArgs = ['--override', `authorizer.class.name=${STANDARD_AUTHORIZER_CLASS}`];
    if (authorizer) {
      // First start as super user to create the ACLs, then restart without: the bench runs on ACLs alone.
      const setup = await startBrokerProcess(dir, [...authArgs, '--override', 'super.users=User:ANONYMOUS']);
      await allowBench(setup.port);
      await setup.stop();
    }
    const broker = await startBrokerProcess(dir, authorizer ? [...authArgs, '--override', 'super.users=User:admin'] : []);
    try {
      const json = join(dir, 'result.json');
      const args = [CLI, 'bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', TOPIC, '--partitions', '4', '--duration', String(DURATION), '--size', '100', '--batch-bytes', '16384', '--json', json];
      const result = await run(process.execPath, args, { timeoutMs: (DURATION + 120) * 1000 });
      if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}`);
      return JSON.parse(readFileSync(json, 'utf8')) as Result;
    } finally {
      await broker.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const off: Result[] = [];
  const on: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    off.push(await benchOnce(false));
    on.push(await benchOnce(true));
  }
  const row = (name: string, results: Result[]) =>
    `| ${name} | ${median(results.map((r) => r.msgsPerSec)).toFixed(0)} | ${median(results.map((r) => r.mbPerSec)).toFixed(1)} | ${results.map((r) => r.msgsPerSec.toFixed(0)).join(', ')} |`;
  process.stdout.write(`| authorizer | msgs/s (median) | MB/s (median) | runs (msgs/s) |\n|---|---|---|---|\n${row('off', off)}\n${row('on (ACLs)', on)}\n`);
}

await main();
