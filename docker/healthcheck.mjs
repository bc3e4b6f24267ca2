// The image's HEALTHCHECK: healthy when the broker's /ready answers 200 (it has started and is not shutting
// down). With the metrics endpoint off (SPATE_METRICS_PORT=-1) a connection to the Kafka port stands in.
import { connect } from 'node:net';

const TIMEOUT_MS = 3000;
const metricsPort = Number(process.env.SPATE_METRICS_PORT ?? '9644');
const kafkaPort = Number(process.env.SPATE_PORT ?? '9092');

function fail(reason) {
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}

if (metricsPort > 0) {
  try {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await response.text()).trim();
    if (response.status !== 200) fail(`/ready answered ${response.status}: ${body}`);
    process.stdout.write(`${body}\n`);
  } catch (error) {
    fail(`/ready on port ${metricsPort}: ${error instanceof Error ? error.message : String(error)}`);
  }
} else {
  await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: kafkaPort, timeout: TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      process.stdout.write(`port ${kafkaPort} accepts connections\n`);
      resolve();
    });
    socket.once('timeout', () => fail(`port ${kafkaPort}: no answer in ${TIMEOUT_MS} ms`));
    socket.once('error', (error) => fail(`port ${kafkaPort}: ${error.message}`));
  });
}
