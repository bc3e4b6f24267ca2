// Shared pieces of the consumer-group end-to-end tests: brokers, KafkaJS members that record what they get,
// and waiting for conditions with a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Kafka as KafkaClient } from 'kafkajs';
import { Broker } from '../../src/broker/broker.js';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { createLogger } from '../../src/logger.js';
import { temporaryDir } from '../helpers/broker.js';
import { DEBIAN_PYTHON } from '../helpers/clients.js';

const { Kafka, logLevel, AssignerProtocol } = kafkajs;

/** An in-process broker whose Broker object is reachable (groupLag, the coordinator). */
export async function startInProcessBroker(properties: Record<string, string | number> = {}): Promise<{ broker: Broker; bootstrap: string; close(): Promise<void> }> {
  const dir = temporaryDir('spate-groups-');
  const config = resolveBrokerConfig({ host: '127.0.0.1', port: 0, dataDir: dir.path, workers: 1, properties: { 'group.initial.rebalance.delay.ms': 0, ...properties } });
  const broker = await Broker.start(config, createLogger('silent'));
  return {
    broker,
    bootstrap: broker.bootstrap,
    async close() {
      await broker.close();
      dir.remove();
    },
  };
}

export function kafkaClient(bootstrap: string, clientId = 'groups-test'): KafkaClient {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Produces `values` to `topic`, spread round-robin over `partitions` partitions, in batches. */
export async function produceValues(kafka: KafkaClient, topic: string, partitions: number, values: string[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 300) {
      const slice = values.slice(i, i + 300);
      await producer.send({ topic, acks: -1, messages: slice.map((value, j) => ({ value, partition: (i + j) % partitions })) });
    }
  } finally {
    await producer.disconnect();
  }
}

export function range(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);
}

/** Who got what: every delivery, in order, plus each member's latest assignment. */
export class Deliveries {
  readonly all: { member: string; value: string; partition: number; offset: number }[] = [];
  readonly counts = new Map<string, number>();

  add(member: string, value: string, partition: number, offset: number): void {
    this.all.push({ member, value, partition, offset });
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }

  missing(values: readonly string[]): string[] {
    return values.filter((v) => !this.counts.has(v));
  }

  duplicates(values: readonly string[]): string[] {
    return values.filter((v) => (this.counts.get(v) ?? 0) > 1);
  }
}

export interface Member {
  readonly name: string;
  readonly consumer: Consumer;
  /** Partitions of the latest GROUP_JOIN. */
  assignment: number[];
  joins: number;
  lastJoinAt: number;
  stop(): Promise<void>;
}

/** A KafkaJS group member that records every message it processes (offsets auto-committed per batch). */
export async function startKafkaJSMember(
  kafka: KafkaClient,
  name: string,
  groupId: string,
  topic: string,
  deliveries: Deliveries,
): Promise<Member> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const member: Member = {
    name,
    consumer,
    assignment: [],
    joins: 0,
    lastJoinAt: 0,
    async stop() {
      await consumer.disconnect();
    },
  };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    member.joins++;
    member.lastJoinAt = performance.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      deliveries.add(name, message.value!.toString(), partition, Number(message.offset));
    },
  });
  return member;
}

/** Decoded assignments of a group from DescribeGroups (KafkaJS admin), once it is Stable. */
export async function describeAssignments(admin: Admin, groupId: string, topic: string): Promise<{ state: string; members: Map<string, number[]> }> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0]!;
  const members = new Map<string, number[]>();
  for (const m of g.members) {
    const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
    members.set(m.memberId, [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b));
  }
  return { state: g.state, members };
}

/** True when the group is Stable with exactly these members' assignments covering all partitions once. */
export async function groupSettled(
  admin: Admin,
  groupId: string,
  topic: string,
  partitions: number,
  members: readonly { assignment?: number[] | undefined }[],
): Promise<boolean> {
  const d = await describeAssignments(admin, groupId, topic);
  if (d.state !== 'Stable' || d.members.size !== members.length) return false;
  const fromBroker = [...d.members.values()].map((a) => a.join(',')).sort();
  // Members whose client view is unknown (kcat) are trusted to follow the broker's.
  const fromClients = members.every((m) => m.assignment !== undefined) ? members.map((m) => m.assignment!.join(',')).sort() : fromBroker;
  const covered = [...d.members.values()].flat().sort((a, b) => a - b);
  return JSON.stringify(fromBroker) === JSON.stringify(fromClients) && covered.length === partitions && new Set(covered).size === partitions;
}

// ------------------------------------------------------------------ Python consumers

export const PY_CONSUMER = fileURLToPath(new URL('../../../test/group/clients/group_consumer.py', import.meta.url));

export interface PyEvent {
  e: 'ready' | 'assigned' | 'revoked' | 'lost' | 'msg' | 'closed' | 'error';
  p?: number[] | number;
  o?: number;
  v?: string;
  msg?: string;
  /** performance.now() when the line arrived (added here). */
  at?: number;
}

/** One Python group member (kafka-python or confluent-kafka) driven over stdin/stdout JSON lines. */
export class PyMember {
  readonly child: ChildProcess;
  readonly events: PyEvent[] = [];
  assignment: number[] = [];
  exited: Promise<number | null>;
  stderr = '';

  constructor(
    readonly name: string,
    client: 'kafka-python' | 'confluent',
    bootstrap: string,
    groupId: string,
    topic: string,
    deliveries: Deliveries,
    extra: string[] = [],
  ) {
    this.child = spawn(DEBIAN_PYTHON, [PY_CONSUMER, client, bootstrap, groupId, topic, ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const ev = JSON.parse(line) as PyEvent;
        ev.at = performance.now();
        this.events.push(ev);
        if (ev.e === 'assigned') this.assignment = [...new Set([...this.assignment, ...(ev.p as number[])])].sort((a, b) => a - b);
        if (ev.e === 'revoked' || ev.e === 'lost') this.assignment = this.assignment.filter((p) => !(ev.p as number[]).includes(p));
        if (ev.e === 'msg') deliveries.add(name, ev.v!, ev.p as number, ev.o!);
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
  }

  /** Asks the consumer to commit, leave the group and exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.stdin!.end('stop\n');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`${this.name} did not stop in 20 s; stderr:\n${this.stderr}`);
    }
    if (code !== 0) throw new Error(`${this.name} exited with ${code}; stderr:\n${this.stderr}`);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
