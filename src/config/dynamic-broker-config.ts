// Dynamic broker configs (Kafka's KIP-226): broker properties changed at run time with AlterConfigs or
// IncrementalAlterConfigs on a BROKER resource, at two levels: this broker (resource name = its node id) and
// the cluster-wide default (resource name ""). They are kept in the data dir, written atomically, and laid
// over the static properties: per-broker, then cluster default, then static, then the property's default.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { configError } from '../errors.js';
import { fsyncDir } from '../storage/io.js';
import { type BrokerConfig, type BrokerPropertyName, BROKER_PROPERTIES, brokerPropertySpec, isBrokerProperty, validateBrokerProperty } from './broker-config.js';

export const DYNAMIC_CONFIG_FILE = 'spate-dynamic-configs.json';

export type DynamicLevel = 'per-broker' | 'cluster-default';

export type DynamicValues = Partial<Record<BrokerPropertyName, string>>;

interface StoredDynamicConfigs {
  version: 1;
  clusterDefault: Record<string, string>;
  /** Per-broker values by node id, as Kafka keys them. */
  brokers: Record<string, Record<string, string>>;
}

/** The names Kafka lets AlterConfigs change on a BROKER resource, among Spate's properties. */
export const DYNAMIC_PROPERTY_NAMES: readonly BrokerPropertyName[] = (Object.keys(BROKER_PROPERTIES) as BrokerPropertyName[]).filter(
  (name) => brokerPropertySpec(name).dynamic === true,
);

export function isDynamicProperty(name: string): name is BrokerPropertyName {
  return isBrokerProperty(name) && brokerPropertySpec(name).dynamic === true;
}

export class DynamicBrokerConfig {
  readonly #config: BrokerConfig;
  readonly #file: string;
  readonly #nodeId: string;
  #stored: StoredDynamicConfigs;

  private constructor(config: BrokerConfig, file: string, nodeId: string, stored: StoredDynamicConfigs) {
    this.#config = config;
    this.#file = file;
    this.#nodeId = nodeId;
    this.#stored = stored;
  }

  /**
   * Reads the data dir's dynamic configs and applies them to `config.properties`. A stored entry that is no
   * longer valid (say, edited by hand) is skipped and reported through `warn`, as Kafka does; an unreadable
   * file stops the broker rather than silently dropping the operator's settings.
   */
  static load(config: BrokerConfig, warn: (message: string) => void): DynamicBrokerConfig {
    const file = join(config.dataDir, DYNAMIC_CONFIG_FILE);
    let stored: StoredDynamicConfigs = { version: 1, clusterDefault: {}, brokers: {} };
    try {
      stored = parseStored(readFileSync(file, 'utf8'), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const dynamic = new DynamicBrokerConfig(config, file, config.properties['node.id'], stored);
    for (const level of ['cluster-default', 'per-broker'] as const) {
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(dynamic.#raw(level))) {
        try {
          kept[name] = validateDynamic(name, value);
        } catch (error) {
          warn(`ignoring stored dynamic broker config ${name}=${value} (${level}): ${(error as Error).message}`);
        }
      }
      dynamic.#setRaw(level, kept);
    }
    dynamic.#apply();
    return dynamic;
  }

  /** The values set at one level. */
  values(level: DynamicLevel): Readonly<DynamicValues> {
    return this.#raw(level) as DynamicValues;
  }

  /**
   * Checks a level's complete new set (names Kafka can change at run time, values of their type); returns it
   * normalised. Throws a coded config error naming the offending key.
   */
  validate(values: Readonly<Record<string, string>>): DynamicValues {
    const checked: DynamicValues = {};
    const notDynamic = Object.keys(values).filter((name) => isBrokerProperty(name) && !isDynamicProperty(name));
    if (notDynamic.length > 0) throw configError(`cannot change these broker configs at run time: ${notDynamic.join(', ')}`);
    for (const [name, value] of Object.entries(values)) checked[name as BrokerPropertyName] = validateDynamic(name, value);
    return checked;
  }

  /** Replaces a level's set (validated by validate()), persists it, then applies it. */
  replace(level: DynamicLevel, values: Readonly<DynamicValues>): void {
    const previous = this.#raw(level);
    this.#setRaw(level, { ...values });
    try {
      this.#save();
    } catch (error) {
      this.#setRaw(level, previous);
      throw error;
    }
    this.#apply();
  }

  #raw(level: DynamicLevel): Record<string, string> {
    return level === 'cluster-default' ? this.#stored.clusterDefault : (this.#stored.brokers[this.#nodeId] ?? {});
  }

  #setRaw(level: DynamicLevel, values: Record<string, string>): void {
    if (level === 'cluster-default') this.#stored.clusterDefault = values;
    else this.#stored.brokers[this.#nodeId] = values;
  }

  /** Recomputes the effective value of every dynamic property. */
  #apply(): void {
    const perBroker = this.values('per-broker');
    const clusterDefault = this.values('cluster-default');
    for (const name of DYNAMIC_PROPERTY_NAMES) {
      this.#config.properties[name] = perBroker[name] ?? clusterDefault[name] ?? this.#config.staticProperties[name] ?? brokerPropertySpec(name).default;
    }
  }

  /** Temporary file, fsync, rename, fsync of the directory: a crash leaves the old file or the new one. */
  #save(): void {
    const temporary = `${this.#file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(this.#stored, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.#file);
    fsyncDir(this.#config.dataDir);
  }
}

function validateDynamic(name: string, value: string): string {
  if (!isBrokerProperty(name)) throw configError(`unknown broker config "${name}"`);
  if (!isDynamicProperty(name)) throw configError(`broker config "${name}" cannot be changed at run time`);
  return validateBrokerProperty(name, value);
}

function parseStored(text: string, file: string): StoredDynamicConfigs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw configError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const isStringMap = (v: unknown): v is Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
  const candidate = parsed as Partial<StoredDynamicConfigs> | null;
  if (
    !candidate ||
    candidate.version !== 1 ||
    !isStringMap(candidate.clusterDefault) ||
    typeof candidate.brokers !== 'object' ||
    candidate.brokers === null ||
    !Object.values(candidate.brokers).every(isStringMap)
  ) {
    throw configError(`${file} does not hold Spate's dynamic broker configs (version 1)`);
  }
  return { version: 1, clusterDefault: candidate.clusterDefault, brokers: candidate.brokers };
}
