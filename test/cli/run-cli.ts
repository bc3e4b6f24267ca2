// Runs the spate CLI as a child process and collects its exit code and output.
import { spawn } from 'node:child_process';
import { CLI } from '../helpers/broker.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Replaces the inherited environment's SPATE_* variables (the rest is inherited). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The node binary to run the CLI with; default this one (the pinned Node 24). */
  node?: string;
}

/** The inherited environment without SPATE_* variables, so a developer's own settings cannot leak into a test. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPATE_')) env[k] = v;
  return { ...env, XDG_CONFIG_HOME: '/nonexistent-spate-test-config', ...extra };
}

export function runCli(args: readonly string[], input?: string, timeoutMsOrOptions: number | RunCliOptions = 30_000): Promise<CliResult> {
  const options = typeof timeoutMsOrOptions === 'number' ? { timeoutMs: timeoutMsOrOptions } : timeoutMsOrOptions;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(options.env ?? {}) });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`spate ${args.join(' ')} did not exit in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
