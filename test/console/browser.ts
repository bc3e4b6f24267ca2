// The browser the console tests drive: Debian's Chromium (apt-get install chromium), headless, through
// playwright-core. A missing Chromium fails the tests (never a skip). Screenshots go to one directory per run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['SPATE_CHROMIUM'] ?? '/usr/bin/chromium';
/** Where the page screenshots land (not committed). */
export const SCREENSHOT_DIR = process.env['SPATE_CONSOLE_SCREENSHOTS'] ?? '/tmp/spate-console-screenshots';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`apt-get install -y chromium\` (CI does this in .ci/run)`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Without the background-networking flags Chromium keeps trying hosts a closed network refuses. playwright
  // gives every launch a fresh profile directory of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Produces lines "key:value" with kcat (librdkafka), one message each, with the given headers. */
export function kcatProduce(bootstrap: string, topic: string, lines: string[], headers: Record<string, string> = {}, partition?: number): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-K', ':', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), ...(partition !== undefined ? ['-p', String(partition)] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`kcat could not run (apt-get install -y kcat): ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}: ${stderr}`))));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

/** A local date-time string as a datetime-local input takes it (the browser runs in this machine's time zone). */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
