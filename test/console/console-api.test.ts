// The console's JSON API driven as a script or an attacker would: over HTTP against a live broker, with bad
// input, foreign origins and Host names, oversized bodies, and predicates that loop, allocate without end or
// try to reach the broker's process. Each gets its status and code, the broker keeps serving, and what the
// API says is checked with a real client (KafkaJS) where it changed something.
import test, { type ExecutionContext } from 'ava';
import { request as httpRequest } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { Cluster, Producer } from '../../src/client/index.js';
import { startTestBroker } from '../helpers/broker.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): { error?: { code: string; message: string; kafkaErrorCode?: number } } & Record<string, unknown>;
}

function call(port: number, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection per request (no keep-alive pool shared between the brokers of concurrent tests).
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as ReturnType<Answer['json']> });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function brokerWithTopic(t: ExecutionContext, config: Record<string, string | number> = {}) {
  const broker = await startTestBroker({ metricsPort: 0, config: { 'console.sample.interval.ms': 200, ...config } });
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'console-api-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { broker, admin, kafka, port: broker.metricsPort! };
}

test('requests for another Host name, from another origin, or not sent as JSON are refused; nothing changes', async (t) => {
  const { port, admin } = await brokerWithTopic(t);
  const rebinding = await call(port, 'GET', '/api/v1/overview', { headers: { host: `attacker.example:${port}` } });
  t.is(rebinding.status, 403, rebinding.body);
  t.is(rebinding.json().error?.code, 'FORBIDDEN');
  t.is((await call(port, 'GET', '/console/', { headers: { host: `attacker.example:${port}` } })).status, 403);
  t.is((await call(port, 'GET', '/api/v1/overview', { headers: { host: `localhost:${port}` } })).status, 200);

  const body = JSON.stringify({ name: 'forged', partitions: 1 });
  const crossOrigin = await call(port, 'POST', '/api/v1/topics', { body, headers: { origin: 'http://attacker.example' } });
  t.is(crossOrigin.status, 403, crossOrigin.body);
  // A cross-site HTML form can only send text/plain, urlencoded or multipart bodies: refused before parsing.
  const formPost = await call(port, 'POST', '/api/v1/topics', { body, headers: { 'content-type': 'text/plain' } });
  t.is(formPost.status, 415);
  t.is(formPost.json().error?.code, 'UNSUPPORTED_MEDIA_TYPE');
  const crossDelete = await call(port, 'DELETE', '/api/v1/topics/anything', { headers: { origin: 'http://attacker.example' } });
  t.is(crossDelete.status, 403, crossDelete.body);
  // Another site's <img> or <script> pointing at the API: the browser marks it, and it is not served.
  t.is((await call(port, 'GET', '/api/v1/topics/forged/messages?predicate=true', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
  t.is((await call(port, 'GET', '/api/v1/overview', { headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
  t.is((await call(port, 'GET', '/console/', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 200, 'a link from elsewhere still opens the console');
  t.false((await admin.listTopics()).includes('forged'));
  // The console's own origin is fine.
  const sameOrigin = await call(port, 'POST', '/api/v1/topics', { body, headers: { origin: `http://127.0.0.1:${port}` } });
  t.is(sameOrigin.status, 201);
  t.true((await admin.listTopics()).includes('forged'));
});

test('bad input gets 400/404/405/413 with a code; Kafka errors keep their Kafka name and code', async (t) => {
  const { port, admin } = await brokerWithTopic(t);
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }], waitForLeaders: true });
  const expect = async (method: string, path: string, status: number, code: string, body?: string): Promise<void> => {
    const answer = await call(port, method, path, body === undefined ? {} : { body });
    t.is(answer.status, status, `${method} ${path}: ${answer.body}`);
    t.is(answer.json().error?.code, code, `${method} ${path}`);
  };
  await expect('GET', '/api/v1/nothing-here', 404, 'NOT_FOUND');
  await expect('PUT', '/api/v1/overview', 405, 'METHOD_NOT_ALLOWED', '{}');
  await expect('GET', '/api/v1/topics/missing', 404, 'UNKNOWN_TOPIC_OR_PARTITION');
  await expect('GET', '/api/v1/topics/orders/messages?limit=0', 400, 'INVALID_REQUEST');
  await expect('GET', '/api/v1/topics/orders/messages?partition=7', 400, 'INVALID_REQUEST');
  await expect('GET', '/api/v1/topics/orders/messages?from=yesterday', 400, 'INVALID_REQUEST');
  await expect('GET', '/api/v1/topics/orders/messages?order=sideways', 400, 'INVALID_REQUEST');
  await expect('GET', '/api/v1/topics/orders/partitions/0/messages/5', 404, 'NOT_FOUND');
  await expect('GET', '/api/v1/brokers/99/configs', 404, 'NOT_FOUND');
  // A read-only broker property and a bad value: the broker's refusal, passed on with its Kafka code.
  for (const set of ['{"set": {"num.partitions": "3"}}', '{"set": {"log.retention.ms": "soon"}}']) {
    const refused = await call(port, 'PATCH', '/api/v1/brokers/1/configs', { body: set });
    t.is(refused.status, 400, set);
    t.is(typeof refused.json().error?.kafkaErrorCode, 'number', `${set}: ${refused.body}`);
  }
  await expect('POST', '/api/v1/topics', 400, 'INVALID_REQUEST', '{"name": 5}');
  await expect('POST', '/api/v1/topics', 400, 'INVALID_REQUEST', '{not json');
  await expect('POST', '/api/v1/topics', 409, 'TOPIC_ALREADY_EXISTS', '{"name": "orders"}');
  await expect('POST', '/api/v1/topics', 400, 'INVALID_TOPIC_EXCEPTION', '{"name": "a/b"}');
  await expect('PATCH', '/api/v1/topics/orders/configs', 400, 'INVALID_CONFIG', '{"set": {"retention.ms": "soon"}}');
  await expect('POST', '/api/v1/topics/orders/messages', 400, 'INVALID_REQUEST', '{"value": "!!", "encoding": "base64"}');
  await expect('POST', '/api/v1/topics/orders/messages', 404, 'UNKNOWN_TOPIC_OR_PARTITION', '{"value": "x", "partition": 9}');
  await expect('POST', '/api/v1/groups/g/reset-offsets', 400, 'INVALID_REQUEST', '{"topic": "orders", "to": "yesterday"}');
  const kafkaError = (await call(port, 'DELETE', '/api/v1/topics/missing')).json().error;
  t.is(kafkaError?.kafkaErrorCode, 3);
  // A body over the 4 MiB limit is refused without being read whole.
  const huge = JSON.stringify({ value: 'x'.repeat(5 * 1024 * 1024) });
  await expect('POST', '/api/v1/topics/orders/messages', 413, 'PAYLOAD_TOO_LARGE', huge);
  t.is((await call(port, 'GET', '/health')).status, 200, 'the metrics endpoints are still served beside the console');
});

test('produce and browse through the API: base64 and text, newest and oldest first, cursors, one whole message', async (t) => {
  const { port, admin, kafka } = await brokerWithTopic(t);
  await admin.createTopics({ topics: [{ topic: 'api', numPartitions: 1 }], waitForLeaders: true });
  for (let i = 0; i < 5; i++) {
    const answer = await call(port, 'POST', '/api/v1/topics/api/messages', { body: JSON.stringify({ key: `k${i}`, value: `value ${i}`, headers: [{ key: 'n', value: String(i) }] }) });
    t.is(answer.status, 201);
    t.deepEqual(answer.json(), { partition: 0, offset: i });
  }
  const binary = Buffer.from([0, 1, 2, 255]);
  t.is((await call(port, 'POST', '/api/v1/topics/api/messages', { body: JSON.stringify({ value: binary.toString('base64'), key: null, encoding: 'base64' }) })).status, 201);

  const consumer = kafka.consumer({ groupId: 'api-check', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'api', fromBeginning: true });
  const values: Array<Buffer | null> = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value) });
  while (values.length < 6) await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  t.deepEqual(values[5], binary, 'KafkaJS reads the exact bytes sent as base64');

  type Page = { messages: Array<{ offset: number; key: { base64: string } | null }>; cursors: Record<string, number> };
  const page1 = (await call(port, 'GET', '/api/v1/topics/api/messages?order=newest&limit=2')).json() as unknown as Page;
  t.deepEqual(page1.messages.map((m) => m.offset), [5, 4]);
  t.is(page1.messages[0]!.key, null);
  const page2 = (await call(port, 'GET', `/api/v1/topics/api/messages?order=newest&limit=2&offsets=0:${page1.cursors['0']}`)).json() as unknown as Page;
  t.deepEqual(page2.messages.map((m) => m.offset), [3, 2]);
  const oldest = (await call(port, 'GET', '/api/v1/topics/api/messages?order=oldest&from=offset:3&limit=10')).json() as unknown as Page;
  t.deepEqual(oldest.messages.map((m) => m.offset), [3, 4, 5]);
  t.is(oldest.cursors['0'], 6, 'the cursor is where a tail continues');
  const one = (await call(port, 'GET', '/api/v1/topics/api/partitions/0/messages/2')).json() as unknown as { offset: number; value: { base64: string } };
  t.is(one.offset, 2);
  t.is(Buffer.from(one.value.base64, 'base64').toString(), 'value 2');
});

test('predicates: sandboxed (no process, require or eval), an endless loop and a heap bomb stopped by their limits, the broker serving throughout', async (t) => {
  const { port, broker, admin } = await brokerWithTopic(t);
  await admin.createTopics({ topics: [{ topic: 'p', numPartitions: 1 }], waitForLeaders: true });
  const cluster = await Cluster.connect({ bootstrap: broker.bootstrap });
  t.teardown(() => cluster.close());
  const producer = new Producer(cluster, { acks: 1 });
  await producer.send('p', Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i }) })));
  const browse = (predicate: string): Promise<Answer> => call(port, 'GET', `/api/v1/topics/p/messages?order=oldest&limit=100&predicate=${encodeURIComponent(predicate)}`);

  const isolated = (await browse('typeof process === "undefined" && typeof require === "undefined" && typeof setTimeout === "undefined" && typeof globalThis.fetch === "undefined"')).json();
  t.is((isolated['messages'] as unknown[] | undefined)?.length, 20, `none of the host globals are reachable: ${JSON.stringify(isolated.error)}`);
  for (const escape of ['this.constructor.constructor("return process")()', 'key.constructor.constructor("return process")().exit(1)', 'eval("1")', 'new Function("return 1")()']) {
    const answer = (await browse(escape)).json();
    t.deepEqual(answer['messages'], [], `${escape}: ${JSON.stringify(answer.error)}`);
    t.is(answer['predicateErrors'], 20, `${escape}: ${String(answer['firstPredicateError'])}`);
  }
  t.deepEqual(((await browse('json.n % 7 === 0')).json()['messages'] as Array<{ offset: number }>).map((m) => m.offset), [0, 7, 14]);

  // An endless loop: the broker keeps answering Kafka requests while the predicate runs into its time limit.
  const looping = browse('(() => { for (;;) {} })()');
  const produced = await producer.send('p', [{ value: 'during the loop' }]);
  t.is(produced[0]!.baseOffset, 20);
  const loopAnswer = await looping;
  t.is(loopAnswer.status, 400);
  t.is(loopAnswer.json().error?.code, 'PREDICATE_TIMEOUT');

  // Allocation without end: the predicate's own process dies at its heap limit, not the broker.
  const bomb = await browse('(() => { const a = []; for (;;) a.push("x".repeat(1 << 20) + a.length); })()');
  t.is(bomb.status, 400);
  t.regex(bomb.json().error?.message ?? "", /heap|limit|did not answer/);
  // 128 Mi one-character strings at once: this aborted the whole broker process when predicates ran on a worker
  // thread with a heap limit (nodejs/node#47224); in a process of its own only that process dies.
  const single = await browse('"x".repeat(2 ** 27).split("").length > 0');
  t.is(single.status, 400, 'a huge allocation');
  t.regex(single.json().error?.message ?? '', /heap|limit/);
  t.is((await browse('true')).status, 200, 'the next predicate works');
  t.is((await producer.send('p', [{ value: 'after' }]))[0]!.baseOffset, 21, 'the broker is up and accepting writes');

  // Predicate scans are bounded in number: at most 2 run at once, the rest are told to come back.
  const answers = await Promise.all(Array.from({ length: 5 }, () => browse('(() => { for (;;) {} })()')));
  const statuses = answers.map((a) => a.status).sort();
  t.true(statuses.filter((s) => s === 429).length >= 3, `statuses ${statuses.join(', ')}`);
  t.true(answers.filter((a) => a.status === 429).every((a) => a.json().error?.code === 'BUSY'));

  const syntax = await browse('this is not javascript');
  t.is(syntax.json().error?.code, 'PREDICATE_INVALID');
  t.is((await browse('x'.repeat(5000))).json().error?.code, 'INVALID_REQUEST', 'a predicate over 4096 characters');
});

test('a scan stops at its record bound and says so; the cursor lets the next request go on', async (t) => {
  const { port, broker, admin } = await brokerWithTopic(t);
  await admin.createTopics({ topics: [{ topic: 'many', numPartitions: 1 }], waitForLeaders: true });
  const cluster = await Cluster.connect({ bootstrap: broker.bootstrap });
  t.teardown(() => cluster.close());
  const producer = new Producer(cluster, { acks: 1 });
  for (let b = 0; b < 12; b++) await producer.send('many', Array.from({ length: 10_000 }, (_, i) => ({ value: `r${b * 10_000 + i}` })));
  const first = (await call(port, 'GET', '/api/v1/topics/many/messages?order=oldest&filter=no-such-text')).json();
  t.is(first['limitHit'], 'records');
  const scanned = (first['scanned'] as { records: number }).records;
  t.true(scanned >= 100_000 && scanned < 120_000, `scanned ${scanned}`);
  const cursor = (first['cursors'] as Record<string, number>)['0']!;
  t.true(cursor >= 100_000 && cursor < 120_000);
  const rest = (await call(port, 'GET', `/api/v1/topics/many/messages?order=oldest&filter=r119999&offsets=0:${cursor}`)).json();
  t.is(rest['limitHit'], null);
  t.deepEqual((rest['messages'] as Array<{ offset: number }>).map((m) => m.offset), [119_999]);
});

test('static files: / redirects, pages carry a CSP that allows only the console itself, ETags revalidate', async (t) => {
  const { port } = await brokerWithTopic(t);
  const root = await call(port, 'GET', '/');
  t.is(root.status, 302);
  t.is(root.headers['location'], '/console/');
  const index = await call(port, 'GET', '/console/');
  t.is(index.status, 200);
  t.regex(String(index.headers['content-security-policy']), /default-src 'self'; script-src 'self'/);
  t.regex(index.body, /<script type="module" src="app.js">/);
  const app = await call(port, 'GET', '/console/app.js');
  t.is(app.status, 200);
  t.regex(String(app.headers['content-type']), /javascript/);
  t.false(/https?:\/\/(?!www\.w3\.org)[a-z]/i.test(app.body.replace(/https?:\/\/(github\.com|preactjs\.com|reactjs\.org)[^\s"']*/g, '')), 'the bundle fetches nothing from elsewhere');
  const again = await call(port, 'GET', '/console/app.js', { headers: { 'if-none-match': String(app.headers['etag']) } });
  t.is(again.status, 304);
  t.is((await call(port, 'GET', '/console/missing.js')).status, 404);
  t.is((await call(port, 'POST', '/console/', { body: '{}' })).status, 405);
});

test('console.enable=false serves no console (the metrics stay); auto serves it on a loopback listener', async (t) => {
  const off = await startTestBroker({ metricsPort: 0, config: { 'console.enable': false } });
  t.teardown(() => off.close());
  t.is((await call(off.metricsPort!, 'GET', '/console/')).status, 404);
  t.is((await call(off.metricsPort!, 'GET', '/api/v1/overview')).status, 404);
  t.is((await call(off.metricsPort!, 'GET', '/metrics')).status, 200);
  const auto = await startTestBroker({ metricsPort: 0 });
  t.teardown(() => auto.close());
  t.is((await call(auto.metricsPort!, 'GET', '/api/v1/overview')).status, 200);
});
