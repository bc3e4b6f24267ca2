// The console's topic list with 10,000 topics, in Debian's Chromium: creates the topics with Spate's admin
// client, then times the Topics page from navigation to its first rows, a search over all of them, and a scroll
// to the last one. Prints the figures (and writes them as JSON with --json FILE). Not part of `npm test`:
// creating 10,000 topics takes about a minute here (each CreateTopics rewrites the whole topic registry file).
//
//   npm run bench:console                 # 10,000 topics
//   npm run bench:console -- --topics 2000
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Admin, Cluster } from '../src/client/index.js';
import { startBroker } from '../src/index.js';
import { launchChromium, screenshot } from '../test/console/browser.js';

const { values: args } = parseArgs({ options: { topics: { type: 'string', default: '10000' }, json: { type: 'string' } } });
const count = Number(args.topics);

// tmpfs when there is one: the figure is about the page, not about how fast the disk syncs new partition dirs.
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dataDir = mkdtempSync(join(base, 'spate-console-topics-'));
const broker = await startBroker({ dataDir, metricsPort: 0, logLevel: 'warn' });
const cluster = await Cluster.connect({ bootstrap: broker.bootstrap });
const admin = new Admin(cluster);
const name = (i: number): string => `topic-${String(i).padStart(5, '0')}`;
let started = performance.now();
for (let i = 0; i < count; i += 500) {
  await admin.createTopics(Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ name: name(i + j), partitions: 1 })));
}
const createSeconds = (performance.now() - started) / 1000;
console.log(`created ${count} topics in ${createSeconds.toFixed(1)} s`);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const url = `http://127.0.0.1:${broker.metricsPort}/console/#/topics`;
  started = performance.now();
  await page.goto(url);
  await page.locator('[data-testid=topic-row]').first().waitFor({ timeout: 60_000 });
  const wallMs = performance.now() - started;
  // In-page: from navigation start to the frame after the list got its data, and the API call inside that.
  const marks = (await page.evaluate(`(() => {
    const mark = performance.getEntriesByName('spate-topics-rendered')[0];
    const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/topics'));
    return { renderedMs: mark ? mark.startTime : -1, apiMs: api ? api.duration : -1, apiBytes: api ? api.transferSize : -1, domRows: document.querySelectorAll('[data-testid=topic-row]').length };
  })()`)) as { renderedMs: number; apiMs: number; apiBytes: number; domRows: number };
  const countText = await page.getByTestId('topic-count').textContent();

  started = performance.now();
  await page.getByTestId('topic-search').fill('topic-0999');
  await page.waitForFunction(`document.querySelector('[data-testid=topic-count]')?.textContent?.startsWith('${count > 9990 ? 10 : 0} of')`);
  const searchMs = performance.now() - started;
  await page.getByTestId('topic-search').fill('');

  started = performance.now();
  await page.evaluate(`(() => { const box = document.querySelector('[data-testid=topic-list]'); box.scrollTop = box.scrollHeight; })()`);
  await page.locator(`[data-testid=topic-row][data-topic="${name(count - 1)}"]`).waitFor();
  const scrollMs = performance.now() - started;
  await screenshot(page, `topics-${count}`);

  const result = {
    topics: count,
    createSeconds: Number(createSeconds.toFixed(1)),
    firstRowsWallMs: Math.round(wallMs),
    renderedAfterNavigationMs: Math.round(marks.renderedMs),
    topicsApiMs: Math.round(marks.apiMs),
    topicsApiBytes: marks.apiBytes,
    rowsInDom: marks.domRows,
    searchMs: Math.round(searchMs),
    scrollToLastMs: Math.round(scrollMs),
    countText,
  };
  console.log(JSON.stringify(result, null, 2));
  if (args.json !== undefined) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  cluster.close();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
}
