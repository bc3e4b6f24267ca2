// The configuration of `spate start`, layered from four sources, lowest to highest precedence:
//
//   defaults  <  config file (--config / SPATE_CONFIG)  <  SPATE_* environment variables  <  flags and --override
//
// Broker properties keep Kafka's names everywhere: `num.partitions` in the file, SPATE_NUM_PARTITIONS in the
// environment (Kafka's container convention: upper case, dots as underscores), `--override num.partitions=3`
// on the command line. The listener settings have their own flags and variables (--port / SPATE_PORT, ...).
// Every value is validated before the broker starts; an error names the key and where its value came from.
// Each effective value remembers its source, for `spate start --print-config`.
import { configError } from '../errors.js';
import { BROKER_PROPERTIES, type BrokerConfig, type BrokerPropertyName, defaultWorkerCount, resolveBrokerConfig, validateBrokerProperty } from './broker-config.js';
import { readConfigFile } from './config-file.js';

export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; path: string }
  | { kind: 'env'; variable: string }
  | { kind: 'flag'; flag: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** `auto`: human-readable when stdout is a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The settings of `spate start` that are flags rather than Kafka properties. */
interface SettingSpec {
  /** Name shown by --print-config (the flag without its dashes). */
  name: string;
  flag: string;
  env: string;
  /** Default as text; a function for one computed at start (the worker count). */
  default: string | (() => string);
  /** Returns the normalised value or throws a message (without the key or source). */
  check: (value: string) => string;
}

function integerIn(min: number, max: number): (value: string) => string {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`must be an integer from ${min} to ${max}, got "${value}"`);
    return String(n);
  };
}

function oneOf(values: readonly string[]): (value: string) => string {
  return (value) => {
    if (!values.includes(value)) throw new Error(`must be one of ${values.join(', ')}, got "${value}"`);
    return value;
  };
}

function nonEmpty(value: string): string {
  if (value.trim() === '') throw new Error('must not be empty');
  return value;
}

export const START_SETTINGS = [
  { name: 'host', flag: '--host', env: 'SPATE_HOST', default: '127.0.0.1', check: nonEmpty },
  { name: 'port', flag: '--port', env: 'SPATE_PORT', default: '9092', check: integerIn(0, 65535) },
  { name: 'data-dir', flag: '--data-dir', env: 'SPATE_DATA_DIR', default: './data', check: nonEmpty },
  { name: 'workers', flag: '--workers', env: 'SPATE_WORKERS', default: () => String(defaultWorkerCount()), check: integerIn(1, 256) },
  { name: 'metrics-port', flag: '--metrics-port', env: 'SPATE_METRICS_PORT', default: '9644', check: integerIn(-1, 65535) },
  { name: 'log-level', flag: '--log-level', env: 'SPATE_LOG_LEVEL', default: 'info', check: oneOf(LOG_LEVELS) },
  { name: 'log-format', flag: '--log-format', env: 'SPATE_LOG_FORMAT', default: 'auto', check: oneOf(LOG_FORMATS) },
] as const satisfies readonly SettingSpec[];

export type StartSettingName = (typeof START_SETTINGS)[number]['name'];

/** The variable that names the config file (the --config flag wins over it). */
export const CONFIG_FILE_ENV = 'SPATE_CONFIG';
const ENV_PREFIX = 'SPATE_';
/** Variables of the client commands (src/cli/profile.ts), not broker properties: `spate start` passes over them. */
const CLIENT_ENV_VARIABLES: ReadonlySet<string> = new Set(['SPATE_BOOTSTRAP', 'SPATE_PROFILE', 'SPATE_CLI_CONFIG']);

/** `SPATE_NUM_PARTITIONS` -> `num.partitions`. */
export function propertyForEnvVariable(variable: string): string {
  return variable.slice(ENV_PREFIX.length).toLowerCase().replaceAll('_', '.');
}

/** `num.partitions` -> `SPATE_NUM_PARTITIONS`. */
export function envVariableForProperty(property: string): string {
  return ENV_PREFIX + property.toUpperCase().replaceAll('.', '_');
}

/** What the command line said; every field is the flag's raw text, absent when the flag was not given. */
export interface StartFlags {
  host?: string | undefined;
  port?: string | undefined;
  dataDir?: string | undefined;
  workers?: string | undefined;
  metricsPort?: string | undefined;
  logLevel?: string | undefined;
  logFormat?: string | undefined;
  config?: string | undefined;
  /** --override key=value, in the order given (a later one wins). */
  override?: Record<string, string> | undefined;
}

export interface ConfigEntry {
  /** A setting name (`port`) or a Kafka property name (`num.partitions`). */
  name: string;
  value: string;
  source: ConfigSource;
}

export interface StartConfig {
  broker: BrokerConfig;
  logLevel: LogLevelName;
  logFormat: LogFormat;
  /** The config file read, if any. */
  configFile: string | undefined;
  /** Every setting, then every broker property, with its effective value and source. */
  entries: ConfigEntry[];
}

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `file ${source.path}`;
    case 'env':
      return `env ${source.variable}`;
    case 'flag':
      return `flag ${source.flag}`;
  }
}

/** "from environment variable SPATE_PORT", for error messages. */
function fromText(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'the default';
    case 'file':
      return `config file ${source.path}`;
    case 'env':
      return `environment variable ${source.variable}`;
    case 'flag':
      return `flag ${source.flag}`;
  }
}

const FLAG_FIELDS: Record<StartSettingName, keyof StartFlags> = {
  host: 'host',
  port: 'port',
  'data-dir': 'dataDir',
  workers: 'workers',
  'metrics-port': 'metricsPort',
  'log-level': 'logLevel',
  'log-format': 'logFormat',
};

/**
 * Resolves the effective configuration of `spate start` from its flags and the environment (only variables
 * starting with SPATE_ are read; an unknown one is an error, like an unknown key in the file).
 */
export function resolveStartConfig(flags: StartFlags, env: NodeJS.ProcessEnv = {}): StartConfig {
  const settingNames = new Set<string>(START_SETTINGS.map((s) => s.env));
  // Environment variables, checked first so a typo is reported even when a flag would have won.
  const envProperties = new Map<string, { value: string; variable: string }>();
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith(ENV_PREFIX) || variable === CONFIG_FILE_ENV || settingNames.has(variable) || CLIENT_ENV_VARIABLES.has(variable)) continue;
    const key = propertyForEnvVariable(variable);
    if (!Object.hasOwn(BROKER_PROPERTIES, key)) {
      throw configError(`unknown config key "${key}" (from environment variable ${variable}); SPATE_* variables name Kafka broker properties (SPATE_NUM_PARTITIONS for num.partitions) or one of ${[...settingNames, CONFIG_FILE_ENV].join(', ')}`);
    }
    envProperties.set(key, { value: env[variable]!, variable });
  }

  const entries: ConfigEntry[] = [];
  const settings = {} as Record<StartSettingName, string>;
  for (const spec of START_SETTINGS as readonly SettingSpec[]) {
    const check = (raw: string, source: ConfigSource): string => {
      try {
        return spec.check(raw);
      } catch (error) {
        throw configError(`${spec.name} ${(error as Error).message} (from ${fromText(source)})`);
      }
    };
    // Every value given is checked, also one that a higher source overrides.
    const envValue = env[spec.env];
    const fromEnv = envValue === undefined ? undefined : check(envValue, { kind: 'env', variable: spec.env });
    const flagValue = flags[FLAG_FIELDS[spec.name as StartSettingName]] as string | undefined;
    let value: string;
    let source: ConfigSource;
    if (flagValue !== undefined) {
      source = { kind: 'flag', flag: spec.flag };
      value = check(flagValue, source);
    } else if (fromEnv !== undefined) {
      source = { kind: 'env', variable: spec.env };
      value = fromEnv;
    } else {
      source = { kind: 'default' };
      value = check(typeof spec.default === 'function' ? spec.default() : spec.default, source);
    }
    settings[spec.name as StartSettingName] = value;
    entries.push({ name: spec.name, value, source });
  }

  // The config file: --config, else SPATE_CONFIG.
  let configFile: string | undefined;
  let configSource: ConfigSource = { kind: 'default' };
  if (flags.config !== undefined) {
    configFile = flags.config;
    configSource = { kind: 'flag', flag: '--config' };
  } else if (env[CONFIG_FILE_ENV] !== undefined && env[CONFIG_FILE_ENV] !== '') {
    configFile = env[CONFIG_FILE_ENV];
    configSource = { kind: 'env', variable: CONFIG_FILE_ENV };
  }
  entries.push({ name: 'config', value: configFile ?? '', source: configSource });

  // Broker properties: default < file < environment < --override, each validated with its source.
  const properties = new Map<string, { value: string; source: ConfigSource }>();
  const apply = (key: string, raw: string, source: ConfigSource): void => {
    properties.set(key, { value: validateBrokerProperty(key, raw, fromText(source)), source });
  };
  if (configFile !== undefined) {
    const source: ConfigSource = { kind: 'file', path: configFile };
    for (const [key, value] of readConfigFile(configFile)) apply(key, value, source);
  }
  for (const [key, { value, variable }] of envProperties) apply(key, value, { kind: 'env', variable });
  for (const [key, value] of Object.entries(flags.override ?? {})) apply(key, value, { kind: 'flag', flag: `--override ${key}` });

  const metricsPort = Number(settings['metrics-port']);
  const broker = resolveBrokerConfig({
    host: settings.host,
    port: Number(settings.port),
    dataDir: settings['data-dir'],
    workers: Number(settings.workers),
    metricsPort: metricsPort === -1 ? undefined : metricsPort,
    properties: Object.fromEntries([...properties].map(([key, { value }]) => [key, value])),
  });
  for (const key of Object.keys(BROKER_PROPERTIES) as BrokerPropertyName[]) {
    let source = properties.get(key)?.source ?? { kind: 'default' };
    // broker.id, when set, is the node id (Kafka's older name for it).
    if (key === 'node.id' && broker.properties['broker.id'] !== '-1') source = properties.get('broker.id')?.source ?? source;
    entries.push({ name: key, value: broker.properties[key], source });
  }
  return {
    broker,
    logLevel: settings['log-level'] as LogLevelName,
    logFormat: settings['log-format'] as LogFormat,
    configFile,
    entries,
  };
}

/**
 * The text of `spate start --print-config`: one line per setting and property, `name value source`, in
 * aligned columns. Empty values print as "".
 */
export function formatStartConfig(config: StartConfig): string {
  const rows = config.entries.map((e) => [e.name, e.value === '' ? '""' : e.value, describeSource(e.source)] as const);
  const header = ['NAME', 'VALUE', 'SOURCE'] as const;
  const widths = ([0, 1] as const).map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly [string, string, string]): string => `${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2]}`;
  return [
    '# Effective configuration of spate start. Precedence, lowest first:',
    '#   default < config file (--config, SPATE_CONFIG) < environment (SPATE_*) < flags (--override)',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}
