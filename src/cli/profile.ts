// Where a client command's connection settings come from: --bootstrap, else the SPATE_BOOTSTRAP variable, else
// the selected profile of the CLI profile file, else 127.0.0.1:9092.
//
// The profile file (YAML) is $SPATE_CLI_CONFIG, else $XDG_CONFIG_HOME/spate/cli.yaml, else ~/.config/spate/cli.yaml:
//   current: local                    # the profile used without --profile / SPATE_PROFILE
//   profiles:
//     local: { bootstrap: 127.0.0.1:9092 }
//     staging: { bootstrap: "kafka-1:9092,kafka-2:9092", request-timeout-ms: 10000 }
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_BOOTSTRAP } from '../client/index.js';
import { usageError } from './exit-codes.js';

export const BOOTSTRAP_ENV = 'SPATE_BOOTSTRAP';
export const PROFILE_ENV = 'SPATE_PROFILE';
export const PROFILE_FILE_ENV = 'SPATE_CLI_CONFIG';

export interface Profile {
  bootstrap?: string;
  requestTimeoutMs?: number;
}

export interface ConnectionSettings {
  bootstrap: string;
  requestTimeoutMs?: number;
  /** Where the bootstrap list came from, for error messages. */
  bootstrapSource: string;
}

export function profileFilePath(env: NodeJS.ProcessEnv): string {
  const explicit = env[PROFILE_FILE_ENV];
  if (explicit !== undefined && explicit !== '') return explicit;
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
  return join(base, 'spate', 'cli.yaml');
}

function readProfileFile(path: string, required: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return null;
    throw usageError(`cannot read the profile file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return parse(text) as unknown;
  } catch (error) {
    throw usageError(`the profile file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The named profile (or the file's current one); null when there is no file and no profile was asked for. */
export function loadProfile(name: string | undefined, env: NodeJS.ProcessEnv): { profile: Profile; source: string } | null {
  const path = profileFilePath(env);
  const asked = name !== undefined;
  const document = readProfileFile(path, asked || env[PROFILE_FILE_ENV] !== undefined);
  if (document === null || document === undefined) return null;
  if (!isRecord(document)) throw usageError(`the profile file ${path} must be a mapping with "profiles"`);
  const profiles = document['profiles'];
  if (!isRecord(profiles)) throw usageError(`the profile file ${path} has no "profiles" mapping`);
  const current = document['current'];
  const chosen = name ?? (typeof current === 'string' ? current : undefined);
  if (chosen === undefined) return null;
  const entry = profiles[chosen];
  if (!isRecord(entry)) throw usageError(`profile "${chosen}" is not in ${path} (it has ${Object.keys(profiles).join(', ') || 'none'})`);
  const profile: Profile = {};
  const bootstrap = entry['bootstrap'];
  if (bootstrap !== undefined) {
    if (typeof bootstrap !== 'string' || bootstrap.trim() === '') throw usageError(`profile "${chosen}" in ${path}: bootstrap must be a host:port list`);
    profile.bootstrap = bootstrap;
  }
  const timeout = entry['request-timeout-ms'];
  if (timeout !== undefined) {
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) throw usageError(`profile "${chosen}" in ${path}: request-timeout-ms must be a positive integer`);
    profile.requestTimeoutMs = timeout;
  }
  return { profile, source: `profile "${chosen}" in ${path}` };
}

/** Flag > SPATE_BOOTSTRAP > profile > default, for the bootstrap list; flag > profile for the request timeout. */
export function resolveConnection(flags: { bootstrap?: string; profile?: string; requestTimeoutMs?: number }, env: NodeJS.ProcessEnv): ConnectionSettings {
  const loaded = loadProfile(flags.profile ?? (env[PROFILE_ENV] !== undefined && env[PROFILE_ENV] !== '' ? env[PROFILE_ENV] : undefined), env);
  const fromEnv = env[BOOTSTRAP_ENV];
  const [bootstrap, bootstrapSource] =
    flags.bootstrap !== undefined
      ? [flags.bootstrap, '--bootstrap']
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, BOOTSTRAP_ENV]
        : loaded?.profile.bootstrap !== undefined
          ? [loaded.profile.bootstrap, loaded.source]
          : [DEFAULT_BOOTSTRAP, 'the default'];
  const requestTimeoutMs = flags.requestTimeoutMs ?? loaded?.profile.requestTimeoutMs;
  return { bootstrap, bootstrapSource, ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}) };
}
