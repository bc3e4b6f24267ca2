// Spate Console in a real browser: Debian's Chromium (headless, playwright-core) against a live broker holding
// data produced by KafkaJS and kcat. Clicks through every page: overview with live throughput, topics (search,
// create, configs, delete), the message browser (orders, offsets, timestamps, filters, predicates, decodings,
// produce, live tail, a 900 KiB JSON message), consumer groups with lag and a lag chart, resetting a group's
// offsets with a preview and checking the result with a real KafkaJS consumer, and the broker configuration
// (a dynamic property edited).
// Screenshots of each page: SCREENSHOT_DIR (see browser.ts).
import test from 'ava';
import { Kafka, logLevel, type Admin as KafkaAdmin, type Producer } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { startTestBroker } from '../helpers/broker.js';
import type { RunningBroker } from '../../src/index.js';
import { kcatProduce, launchChromium, localDateTime, screenshot, SCREENSHOT_DIR } from './browser.js';

const SAMPLE_MS = 250;
const BASE_TIME = Date.UTC(2024, 0, 15, 12, 0, 0);

let broker: RunningBroker;
let browser: Browser;
let kafka: Kafka;
let admin: KafkaAdmin;
let producer: Producer;
let consoleUrl: string;

test.before(async () => {
  broker = await startTestBroker({ metricsPort: 0, config: { 'console.sample.interval.ms': SAMPLE_MS } });
  consoleUrl = `http://127.0.0.1:${broker.metricsPort}/console/`;
  kafka = new Kafka({ clientId: 'console-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 3 },
      { topic: 'events', numPartitions: 1 },
      { topic: 'payments', numPartitions: 2 },
      { topic: 'big-documents', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(2 * 1024 * 1024) }] },
      ...Array.from({ length: 25 }, (_, i) => ({ topic: `inventory-${String(i).padStart(2, '0')}`, numPartitions: 1 })),
    ],
    waitForLeaders: true,
  });
  // orders: JSON from KafkaJS with headers, and text lines from kcat.
  await producer.send({
    topic: 'orders',
    messages: Array.from({ length: 30 }, (_, i) => ({
      key: `customer-${i % 5}`,
      value: JSON.stringify({ id: i, amount: i * 10, item: i % 2 === 0 ? 'pizza' : 'salad' }),
      headers: { source: 'kafkajs', type: i % 3 === 0 ? 'refund' : 'order' },
    })),
  });
  await kcatProduce(broker.bootstrap, 'orders', ['kcat-1:hello from kcat', 'kcat-2:second kcat line'], { source: 'kcat' }, 0);
  // events: one record a second of event time, so timestamps have exact answers.
  await producer.send({
    topic: 'events',
    messages: Array.from({ length: 10 }, (_, i) => ({ key: `e${i}`, value: `event number ${i}`, timestamp: String(BASE_TIME + i * 1000) })),
  });
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
});

/**
 * A new page at `hash`. The console's Content-Security-Policy forbids eval, which playwright's string
 * predicates need: pages bypass it, except the overview's, which checks that the console runs under it.
 */
async function openPage(hash: string, options: { enforceCsp?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: options.enforceCsp !== true });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(`${consoleUrl}${hash}`);
  return page;
}

function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

test.serial('overview: brokers, topics, partitions, replication health, disk, and live throughput charts', async (t) => {
  const page = await openPage('#/', { enforceCsp: true });
  await page.getByTestId('overview-page').waitFor();
  t.is(await page.getByTestId('card-brokers').locator('.card-value').textContent(), '1');
  t.is(await page.getByTestId('card-topics').locator('.card-value').textContent(), '29');
  t.is(await page.getByTestId('card-partitions').locator('.card-value').textContent(), String(3 + 1 + 2 + 1 + 25));
  t.is(await page.getByTestId('card-under-replicated').locator('.card-value').textContent(), '0');
  t.is(await page.getByTestId('card-offline').locator('.card-value').textContent(), '0');
  t.regex((await page.getByTestId('card-disk').textContent()) ?? '', /in logs.*free of/);
  // The throughput sampler runs every 250 ms here: the chart gains points while the page is open, and produce
  // traffic shows as a non-zero rate.
  const points = async (): Promise<number> => Number(await page.getByTestId('chart-bytes').getAttribute('data-points'));
  const before = await points();
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: 'payments', messages: [{ key: `p${i}`, value: 'x'.repeat(2000) }] });
    await page.waitForTimeout(SAMPLE_MS);
  }
  const deadline = Date.now() + 15_000;
  while ((await points()) <= before + 2 && Date.now() < deadline) await page.waitForTimeout(100);
  t.true((await points()) > before + 2, 'the chart gained points');
  const overview = (await (await fetch(`http://127.0.0.1:${broker.metricsPort}/api/v1/overview`)).json()) as { throughput: { bytesIn: number[] } };
  t.true(overview.throughput.bytesIn.some((rate) => rate > 0), 'the sampled produce rate is non-zero');
  await page.waitForTimeout(2500);
  await screenshot(page, '1-overview');
  t.deepEqual(pageProblems(page), []);
  await page.close();
});

test.serial('topics: search, create (and a refused name), partitions, configs edited and reset, delete with confirmation', async (t) => {
  const page = await openPage('#/topics');
  await page.getByTestId('topic-row').first().waitFor();
  t.is(await page.getByTestId('topic-count').textContent(), '29 of 29 topics');
  await page.getByTestId('topic-search').fill('inventory-1');
  t.is(await page.getByTestId('topic-count').textContent(), '10 of 29 topics');
  await page.getByTestId('topic-search').fill('');
  t.is(await page.getByTestId('topic-list').getAttribute('data-count'), '29');
  // The list is virtualised: rows far down are not in the DOM until scrolled to (or searched for).
  t.true((await page.getByTestId('topic-row').count()) < 29);
  await screenshot(page, '2-topics');
  await page.getByTestId('topic-search').fill('ord');
  const orders = page.locator('[data-testid=topic-row][data-topic=orders]');
  t.regex((await orders.textContent()) ?? '', /orders3132/, 'orders: 3 partitions, 1 replica, 32 messages');

  // A name Kafka refuses: the broker's INVALID_TOPIC_EXCEPTION is shown, nothing is created.
  await page.getByTestId('create-topic-open').click();
  await page.getByTestId('create-topic-name').fill('bad name!');
  await page.getByTestId('create-topic-submit').click();
  t.regex((await page.getByTestId('create-topic-dialog').getByTestId('error').textContent()) ?? '', /INVALID_TOPIC_EXCEPTION/);
  await page.getByTestId('create-topic-name').fill('created-in-browser');
  await page.getByTestId('create-topic-partitions').fill('4');
  await page.getByTestId('create-topic-configs').fill('retention.ms=86400000');
  await page.getByTestId('create-topic-submit').click();
  await page.getByTestId('topic-page').waitFor();
  const metadata = await admin.fetchTopicMetadata({ topics: ['created-in-browser'] });
  t.is(metadata.topics[0]?.partitions.length, 4, 'KafkaJS sees the 4 partitions');

  await page.getByTestId('tab-partitions').click();
  await page.getByTestId('partitions-table').waitFor();
  t.is(await page.getByTestId('partitions-table').locator('tbody tr').count(), 4);

  await page.getByTestId('tab-configs').click();
  await page.getByTestId('config-row-retention.ms').waitFor();
  t.regex((await page.getByTestId('config-row-retention.ms').textContent()) ?? '', /86400000DYNAMIC_TOPIC_CONFIG/);
  await page.getByTestId('config-edit-cleanup.policy').click();
  await page.getByTestId('config-value').fill('compact,delete');
  await page.getByTestId('config-save').click();
  await page.waitForFunction(`document.querySelector('[data-testid="config-row-cleanup.policy"]')?.textContent?.includes('compact,delete') === true`);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'created-in-browser', configNames: ['cleanup.policy', 'retention.ms'] }] });
  const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  t.deepEqual(entries, { 'cleanup.policy': 'compact,delete', 'retention.ms': '86400000' }, 'KafkaJS reads back the edited configs');
  // A value the broker refuses is shown with Kafka's error.
  await page.getByTestId('config-edit-min.insync.replicas').click();
  await page.getByTestId('config-value').fill('zero');
  await page.getByTestId('config-save').click();
  t.regex((await page.getByTestId('configs-tab').getByTestId('error').textContent()) ?? '', /INVALID_CONFIG/);
  await page.getByTestId('config-reset-retention.ms').click();
  await page.waitForFunction(`document.querySelector('[data-testid="config-row-retention.ms"]')?.textContent?.includes('DEFAULT_CONFIG') === true`);
  await screenshot(page, '3-topic-configs');

  await page.getByTestId('delete-topic').click();
  await page.getByTestId('confirm-input').fill('created-in-brow');
  t.true(await page.getByTestId('confirm-delete').isDisabled(), 'deleting needs the whole name');
  await page.getByTestId('confirm-input').fill('created-in-browser');
  await screenshot(page, '4-topic-delete-confirmation');
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('topics-page').waitFor();
  t.false((await admin.listTopics()).includes('created-in-browser'), 'KafkaJS no longer lists the topic');
  // The two refusals above (a bad topic name, a bad config value) are the only failed requests.
  t.deepEqual(pageProblems(page), Array(2).fill('Failed to load resource: the server responded with a status of 400 (Bad Request)'));
  await page.close();
});

async function rows(page: Page): Promise<Array<{ partition: number; offset: number; key: string; value: string }>> {
  const list = page.getByTestId('message-row');
  const out = [];
  for (let i = 0; i < (await list.count()); i++) {
    const row = list.nth(i);
    out.push({
      partition: Number(await row.getAttribute('data-partition')),
      offset: Number(await row.getAttribute('data-offset')),
      key: (await row.getByTestId('message-key').textContent()) ?? '',
      value: (await row.getByTestId('message-value').textContent()) ?? '',
    });
  }
  return out;
}

/** Clicks Search and waits for the answer (the button is disabled while the request runs). */
async function search(page: Page): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().includes('/messages?'));
  await page.getByTestId('browse-search').click();
  await answered;
  await page.waitForFunction(`document.querySelector('[data-testid=browse-search]')?.disabled === false`);
}

test.serial('message browser: partitions, newest and oldest first, offsets, timestamps, substring and predicate filters, text/JSON/hex', async (t) => {
  const page = await openPage('#/topics/orders/messages');
  await page.getByTestId('message-row').first().waitFor();
  // Newest first across the 3 partitions: 32 messages, at most 50 per page.
  t.is(await page.getByTestId('message-list').getAttribute('data-count'), '32', 'all 32 messages of the 3 partitions');
  const newest = await rows(page);
  t.deepEqual(
    newest.slice(0, 2).map((r) => [r.key, r.value]),
    [
      ['kcat-2', 'second kcat line'],
      ['kcat-1', 'hello from kcat'],
    ],
    'newest first: the kcat messages, produced last, shown as text',
  );
  await screenshot(page, '5-messages');

  await page.getByTestId('browse-partition').selectOption('0');
  await page.getByTestId('browse-order').selectOption('oldest');
  await page.getByTestId('browse-from').selectOption('offset');
  await page.getByTestId('browse-from-value').fill('3');
  await search(page);
  const fromOffset = await rows(page);
  t.true(fromOffset.length > 0);
  t.deepEqual(
    fromOffset.map((r) => r.offset),
    fromOffset.map((_, i) => 3 + i),
    'partition 0 from offset 3, oldest first, consecutive offsets',
  );
  t.true(fromOffset.every((r) => r.partition === 0));

  await page.getByTestId('browse-partition').selectOption('all');
  await page.getByTestId('browse-from').selectOption('start');
  await page.getByTestId('browse-filter').fill('KCAT');
  await search(page);
  t.deepEqual((await rows(page)).map((r) => r.key).sort(), ['kcat-1', 'kcat-2'], 'case-insensitive substring of key, value or header');

  await page.getByTestId('browse-filter').fill('');
  await page.getByTestId('browse-predicate').fill('json?.amount >= 200 && headers.type === "refund"');
  await search(page);
  const refunds = await rows(page);
  t.deepEqual(
    refunds.map((r) => (JSON.parse(r.value) as { id: number }).id).sort((a, b) => a - b),
    [21, 24, 27],
    'predicate evaluated on the server: amount >= 200 and a refund header',
  );
  await screenshot(page, '6-messages-predicate');

  // A predicate that never ends is stopped by its time limit, with the console's error code.
  await page.getByTestId('browse-predicate').fill('(() => { for (;;) {} })()');
  await search(page);
  t.regex((await page.getByTestId('messages-tab').getByTestId('error').textContent()) ?? '', /PREDICATE_TIMEOUT/);
  await page.getByTestId('browse-predicate').fill('');

  await page.getByTestId('browse-decoding').selectOption('hex');
  await page.getByTestId('browse-filter').fill('hello from kcat');
  await search(page);
  t.regex((await rows(page))[0]?.value ?? '', /^68 65 6c 6c 6f 20 66 72 6f 6d/, 'hex of "hello from"');
  await page.getByTestId('message-row').first().click();
  await page.getByTestId('detail-value').waitFor();
  t.regex((await page.getByTestId('detail-value').textContent()) ?? '', /00000000 {2}68 65 6c 6c 6f.*hello from kcat/);
  t.regex((await page.getByTestId('detail-headers').textContent()) ?? '', /source.*6b 63 61 74/);
  await page.close();

  // Timestamps: events holds one record per second from BASE_TIME.
  const events = await openPage('#/topics/events/messages');
  await events.getByTestId('message-row').first().waitFor();
  await events.getByTestId('browse-order').selectOption('oldest');
  await events.getByTestId('browse-from').selectOption('timestamp');
  await events.getByTestId('browse-from-value').fill(localDateTime(BASE_TIME + 6000));
  await search(events);
  t.deepEqual((await rows(events)).map((r) => r.key), ['e6', 'e7', 'e8', 'e9'], 'oldest first from a timestamp: the records at or after it');
  await events.getByTestId('browse-order').selectOption('newest');
  await search(events);
  t.deepEqual((await rows(events)).map((r) => r.key), ['e5', 'e4', 'e3', 'e2', 'e1', 'e0'], 'newest first from a timestamp: the records before it');
  await events.getByTestId('browse-limit').fill('3');
  await events.getByTestId('browse-from').selectOption('start');
  await search(events);
  t.deepEqual((await rows(events)).map((r) => r.key), ['e9', 'e8', 'e7']);
  await events.getByTestId('browse-more').click();
  await events.waitForFunction(`document.querySelectorAll('[data-testid=message-row]').length === 6`);
  t.deepEqual((await rows(events)).map((r) => r.key), ['e9', 'e8', 'e7', 'e6', 'e5', 'e4'], 'the next page continues from the cursor');
  // The endless predicate's PREDICATE_TIMEOUT is the only failed request.
  t.deepEqual([...pageProblems(page), ...pageProblems(events)], ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  await events.close();
});

test.serial('message browser: produce a message with key and headers (read back by KafkaJS), and live tail of kcat messages', async (t) => {
  const page = await openPage('#/topics/payments/messages');
  await page.getByTestId('messages-tab').waitFor();
  await page.getByTestId('produce-open').click();
  await page.getByTestId('produce-partition').selectOption('1');
  await page.getByTestId('produce-key').fill('browser-key');
  await page.getByTestId('produce-value').fill('{"paid": true, "amount": 42}');
  await page.getByTestId('produce-headers').fill('origin=console\ntrace=abc-123');
  await page.getByTestId('produce-send').click();
  const result = (await page.getByTestId('produce-result').textContent()) ?? '';
  const offset = Number(/at offset (\d+)/.exec(result)?.[1]);
  t.regex(result, /partition 1 at offset \d+/);
  await screenshot(page, '7-produce');

  const consumer = kafka.consumer({ groupId: 'produce-check', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'payments', fromBeginning: true });
  const seen = await new Promise<{ key: string; value: string; headers: Record<string, string>; offset: string }>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (partition !== 1 || message.key?.toString() !== 'browser-key') return;
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        resolve({ key: message.key.toString(), value: message.value?.toString() ?? '', headers, offset: message.offset });
      },
    });
  });
  await consumer.disconnect();
  t.deepEqual(seen, { key: 'browser-key', value: '{"paid": true, "amount": 42}', headers: { origin: 'console', trace: 'abc-123' }, offset: String(offset) });

  await page.getByTestId('browse-tail').check();
  await page.getByTestId('tail-info').waitFor();
  await page.waitForTimeout(1500);
  await kcatProduce(broker.bootstrap, 'payments', ['tail-1:first tailed line', 'tail-2:second tailed line'], {}, 0);
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=message-value]')].some((e) => e.textContent === 'second tailed line')`, undefined, { timeout: 15_000 });
  const tailed = await rows(page);
  t.deepEqual(tailed.slice(0, 2).map((r) => r.key), ['tail-2', 'tail-1'], 'the tail shows new messages, newest on top');
  await screenshot(page, '8-live-tail');
  t.deepEqual(pageProblems(page), []);
  await page.close();
});

test.serial('message browser: a 900 KiB JSON message is pretty-printed in a virtualised viewer without freezing the page', async (t) => {
  const items = Array.from({ length: 7200 }, (_, i) => ({ id: i, name: `item-${i}`, price: (i * 7) % 1000, tags: ['alpha', 'beta', 'gamma'].slice(0, 1 + (i % 3)), note: 'x'.repeat(40) }));
  const bare = JSON.stringify({ kind: 'catalogue', items, padding: '', end: 'last-field' });
  const json = JSON.stringify({ kind: 'catalogue', items, padding: 'p'.repeat(900 * 1024 - bare.length), end: 'last-field' });
  t.is(json.length, 900 * 1024, 'a 900 KiB JSON document');
  await producer.send({ topic: 'big-documents', messages: [{ key: 'catalogue', value: json }] });

  const page = await openPage('#/topics/big-documents/messages');
  await page.getByTestId('message-row').first().waitFor();
  t.regex((await page.getByTestId('message-value').first().textContent()) ?? '', /\(900 KiB\)$/, 'the list shows a truncated preview and the size');
  // Long tasks (main thread busy > 50 ms) while the message is opened, decoded and pretty-printed.
  await page.evaluate(`window.longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });`);
  await page.getByTestId('browse-decoding').selectOption('json');
  const started = Date.now();
  await page.getByTestId('message-row').first().click();
  await page.getByTestId('detail-value').waitFor({ timeout: 30_000 });
  const openMs = Date.now() - started;
  const lines = Number(await page.getByTestId('detail-value-lines').getAttribute('data-lines'));
  t.true(lines > 7200 * 8, `pretty-printed into ${lines} lines`);
  const rendered = await page.getByTestId('detail-value').locator('.vrow').count();
  t.true(rendered < 100, `only ${rendered} of ${lines} lines are in the DOM`);
  t.regex((await page.getByTestId('detail-value').textContent()) ?? '', /^\{ {2}"kind": "catalogue", {2}"items": \[ {4}\{ {6}"id": 0,/);
  await page.evaluate(`(() => { const box = document.querySelector('[data-testid=detail-value]'); box.scrollTop = box.scrollHeight; })()`);
  await page.waitForFunction(`document.querySelector('[data-testid=detail-value]')?.textContent?.includes('"end": "last-field"') === true`);
  // Still responsive: switching the same message to hex re-renders it.
  await page.getByTestId('detail-decoding').selectOption('hex');
  await page.waitForFunction(`Number(document.querySelector('[data-testid=detail-value-lines]')?.getAttribute('data-lines')) === ${Math.ceil(json.length / 16)}`);
  const longTasks = (await page.evaluate('window.longTasks')) as number[];
  t.log(`900 KiB JSON: opened and pretty-printed in ${openMs} ms (fetch included); ${lines} lines, ${rendered} in the DOM; long tasks: ${longTasks.length}, longest ${Math.round(Math.max(0, ...longTasks))} ms`);
  await page.getByTestId('detail-decoding').selectOption('json');
  await screenshot(page, '9-large-json-message');
  t.deepEqual(pageProblems(page), []);
  await page.close();
});

test.serial('consumer groups: list with lag, members and lag per partition with a chart; reset offsets with a preview, checked by a real consumer', async (t) => {
  // A KafkaJS group reads all of payments, commits, and stays a member while the page shows it.
  const total = async (): Promise<number> => {
    const offsets = await admin.fetchTopicOffsets('payments');
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  };
  await producer.send({ topic: 'payments', messages: Array.from({ length: 10 }, (_, i) => ({ key: `early-${i}`, value: `early ${i}`, partition: i % 2 })) });
  const existing = await total();
  const consumer = kafka.consumer({ groupId: 'billing', maxWaitTimeInMs: 100, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'payments', fromBeginning: true });
  let consumed = 0;
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async () => {
      consumed++;
    },
  });
  const deadline = Date.now() + 30_000;
  while (consumed < existing && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.is(consumed, existing);

  const page = await openPage('#/groups');
  await page.locator('[data-testid=group-row][data-group=billing]').waitFor();
  await page.waitForFunction(`document.querySelector('[data-testid=group-row][data-group=billing]')?.textContent?.includes('Stable') === true`, undefined, { timeout: 15_000 });
  await screenshot(page, '10-groups');
  await page.locator('[data-testid=group-row][data-group=billing] a').click();
  await page.getByTestId('members-table').waitFor();
  t.regex((await page.getByTestId('members-table').textContent()) ?? '', /console-test.*payments: 0, 1/);
  await consumer.disconnect();

  // With the member gone, 5 more records make a lag of 5 that the table and (after a few samples) the chart show.
  await producer.send({ topic: 'payments', messages: Array.from({ length: 5 }, (_, i) => ({ key: `late-${i}`, value: `late ${i}`, partition: i % 2 })) });
  await page.waitForFunction(`document.querySelector('[data-testid=group-total-lag]')?.textContent === '5'`, undefined, { timeout: 20_000 });
  await page.waitForFunction(`Number(document.querySelector('[data-testid=chart-lag]')?.getAttribute('data-points')) >= 3`, undefined, { timeout: 20_000 });
  t.is(await page.getByTestId('group-state').textContent(), 'Empty');
  await screenshot(page, '11-group-lag');

  const committedBefore = await admin.fetchOffsets({ groupId: 'billing', topics: ['payments'] });
  await page.getByTestId('reset-mode').selectOption('earliest');
  await page.getByTestId('reset-preview').click();
  await page.getByTestId('reset-plan').waitFor();
  t.is(await page.getByTestId('reset-status').textContent(), 'Preview: nothing committed yet.');
  t.deepEqual(await page.getByTestId('reset-new').allTextContents(), ['0', '0']);
  t.deepEqual(await admin.fetchOffsets({ groupId: 'billing', topics: ['payments'] }), committedBefore, 'the preview committed nothing');
  await screenshot(page, '12-reset-preview');
  await page.getByTestId('reset-apply').click();
  await page.waitForFunction(`document.querySelector('[data-testid=reset-status]')?.textContent?.startsWith('Applied') === true`);
  const committed = await admin.fetchOffsets({ groupId: 'billing', topics: ['payments'] });
  t.deepEqual(
    committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [0, '0'],
      [1, '0'],
    ],
  );
  await page.waitForFunction(`document.querySelector('[data-testid=group-total-lag]')?.textContent === '${existing + 5}'`, undefined, { timeout: 20_000 });

  // A real consumer in the group now starts from the beginning again.
  const again = kafka.consumer({ groupId: 'billing', maxWaitTimeInMs: 100 });
  await again.connect();
  await again.subscribe({ topic: 'payments', fromBeginning: false });
  const firstOffsets = new Map<number, string>();
  let reread = 0;
  await again.run({
    eachMessage: async ({ partition, message }) => {
      if (!firstOffsets.has(partition)) firstOffsets.set(partition, message.offset);
      reread++;
    },
  });
  const until = Date.now() + 30_000;
  while (reread < existing + 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await again.disconnect();
  t.is(reread, existing + 5, 'the group re-reads every record');
  t.deepEqual([...firstOffsets.entries()].sort(), [
    [0, '0'],
    [1, '0'],
  ]);
  t.deepEqual(pageProblems(page), []);
  await page.close();
});

test.serial('brokers: the broker configuration with sources; a dynamic property edited (read back by KafkaJS) and reset', async (t) => {
  const page = await openPage('#/brokers');
  await page.getByTestId('config-row-num.partitions').waitFor();
  t.regex((await page.getByTestId('config-row-num.partitions').textContent()) ?? '', /num\.partitions1/);
  t.regex((await page.getByTestId('config-row-group.initial.rebalance.delay.ms').textContent()) ?? '', /0STATIC_BROKER_CONFIG/);
  t.is(await page.getByTestId('config-edit-num.partitions').count(), 0, 'read-only properties have no Edit button');
  await page.getByTestId('config-search').fill('retention');
  t.true((await page.getByTestId('config-table').locator('tbody tr').count()) >= 3);
  await page.getByTestId('config-edit-log.retention.ms').click();
  await page.getByTestId('config-value').fill('3600000');
  await page.getByTestId('config-save').click();
  await page.waitForFunction(`document.querySelector('[data-testid="config-row-log.retention.ms"]')?.textContent?.includes('3600000DYNAMIC_BROKER_CONFIG') === true`);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '1', configNames: ['log.retention.ms'] }] });
  t.is(described.resources[0]!.configEntries[0]!.configValue, '3600000', 'KafkaJS reads back the dynamic value');
  await screenshot(page, '13-broker-config');
  await page.getByTestId('config-reset-log.retention.ms').click();
  await page.waitForFunction(`document.querySelector('[data-testid="config-row-log.retention.ms"]')?.textContent?.includes('604800000DEFAULT_CONFIG') === true`);
  t.log(`screenshots in ${SCREENSHOT_DIR}`);
  t.deepEqual(pageProblems(page), []);
  await page.close();
});
