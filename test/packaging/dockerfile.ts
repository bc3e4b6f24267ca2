// Reads what the image runs from the Dockerfile's final stage: its ENV, ENTRYPOINT, CMD and HEALTHCHECK, so the
// entrypoint test runs exactly that command with exactly that environment (no Docker needed).
import { readFileSync } from 'node:fs';

export interface ImageSpec {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  workdir: string;
  user: string;
  volumes: string[];
  stopSignal: string;
}

/** Joins continuation lines and drops comments. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((current + line).trim());
    current = '';
  }
  return out;
}

function execForm(args: string, what: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${what} is not in exec form: ${args}`);
  return parsed;
}

export function readImageSpec(path: string): ImageSpec {
  const all = instructions(readFileSync(path, 'utf8'));
  const lastFrom = all.map((i) => i.split(/\s+/)[0]!.toUpperCase()).lastIndexOf('FROM');
  const spec: ImageSpec = { env: {}, entrypoint: [], cmd: [], healthcheck: [], workdir: '/', user: 'root', volumes: [], stopSignal: 'SIGTERM' };
  for (const instruction of all.slice(lastFrom + 1)) {
    const [keyword, ...rest] = instruction.split(/\s+/);
    const args = rest.join(' ');
    switch (keyword!.toUpperCase()) {
      case 'ENV':
        for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) spec.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
        break;
      case 'ENTRYPOINT':
        spec.entrypoint = execForm(args, 'ENTRYPOINT');
        break;
      case 'CMD':
        spec.cmd = execForm(args, 'CMD');
        break;
      case 'HEALTHCHECK':
        spec.healthcheck = execForm(args.slice(args.indexOf('CMD') + 3).trim(), 'HEALTHCHECK CMD');
        break;
      case 'WORKDIR':
        spec.workdir = args;
        break;
      case 'USER':
        spec.user = args;
        break;
      case 'VOLUME':
        spec.volumes.push(...args.split(/\s+/));
        break;
      case 'STOPSIGNAL':
        spec.stopSignal = args;
        break;
    }
  }
  return spec;
}
