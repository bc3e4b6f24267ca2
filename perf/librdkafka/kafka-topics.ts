// A stand-in for Kafka's bin/kafka-topics.sh, enough for the librdkafka tests that shell out to it (0045, 0052,
// 0077): --create (with --partitions, --replication-factor, repeated --config k=v), --alter --partitions, --delete.
// Built on Spate's own client so the suite needs no JVM; it exits non-zero with the broker's error, as the real one.
import { Admin, Cluster } from '../../src/client/index.js';
import { checkErrorCode } from '../../src/client/errors.js';
import { ApiKey, type CreatePartitionsResponse } from '../../src/protocol/generated/index.js';

type Action = 'create' | 'alter' | 'delete';

interface TopicsCommand {
  action: Action;
  bootstrap: string;
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 30_000;

function parseArguments(args: readonly string[]): TopicsCommand {
  let action: Action | null = null;
  let bootstrap: string | null = null;
  let topic: string | null = null;
  let partitions = -1;
  let replicationFactor = -1;
  const configs: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--create':
      case '--alter':
      case '--delete':
        action = flag.slice(2) as Action;
        break;
      case '--bootstrap-server':
        bootstrap = value();
        break;
      case '--topic':
        topic = value();
        break;
      case '--partitions':
        partitions = Number.parseInt(value(), 10);
        break;
      case '--replication-factor':
        replicationFactor = Number.parseInt(value(), 10);
        break;
      case '--config': {
        const pair = value();
        const equals = pair.indexOf('=');
        if (equals <= 0) throw new Error(`--config wants key=value, got ${pair}`);
        configs[pair.slice(0, equals)] = pair.slice(equals + 1);
        break;
      }
      default:
        throw new Error(`unsupported argument ${flag}`);
    }
  }
  if (!action || !bootstrap || !topic) throw new Error('usage: kafka-topics.sh --bootstrap-server H:P (--create|--alter|--delete) --topic T [...]');
  return { action, bootstrap, topic, partitions, replicationFactor, configs };
}

async function createPartitions(cluster: Cluster, topic: string, count: number): Promise<void> {
  const connection = await cluster.anyConnection();
  const response = await connection.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, connection.version(ApiKey.CreatePartitions), {
    topics: [{ name: topic, count, assignments: null }],
    timeoutMs: REQUEST_TIMEOUT_MS,
    validateOnly: false,
  });
  for (const r of response.results) checkErrorCode(r.errorCode, `adding partitions to ${r.name}`, r.errorMessage);
}

async function run(command: TopicsCommand): Promise<void> {
  const cluster = await Cluster.connect({ bootstrap: command.bootstrap, clientId: 'kafka-topics-stand-in' });
  try {
    const admin = new Admin(cluster);
    if (command.action === 'create') {
      await admin.createTopics([{ name: command.topic, partitions: command.partitions, replicationFactor: command.replicationFactor, configs: command.configs }]);
      console.log(`Created topic ${command.topic}.`);
    } else if (command.action === 'delete') {
      await admin.deleteTopics([command.topic]);
    } else {
      if (command.partitions < 1) throw new Error('--alter needs --partitions N');
      await createPartitions(cluster, command.topic, command.partitions);
    }
  } finally {
    cluster.close();
  }
}

try {
  await run(parseArguments(process.argv.slice(2)));
} catch (error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Error while executing topic command : ${message}`);
  process.exitCode = 1;
}
