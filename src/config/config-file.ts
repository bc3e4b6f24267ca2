// Reading a broker config file: Java properties (server.properties) or YAML, chosen by the file's extension.
// Either way the result is a flat map from Kafka property names to string values; validation is the caller's.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { configError } from '../errors.js';

export type ConfigFileFormat = 'properties' | 'yaml';

/** `.yaml` and `.yml` are YAML; anything else is Java properties. */
export function configFileFormat(path: string): ConfigFileFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'properties';
}

/** Reads and parses a config file; errors name the file. */
export function readConfigFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw configError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    return configFileFormat(path) === 'yaml' ? parseYamlConfig(text) : parseProperties(text);
  } catch (error) {
    throw configError(`config file ${path}: ${(error as Error).message}`);
  }
}

/** Parses Java-style .properties text: `key=value` or `key: value`, `#`/`!` comments, trailing-backslash continuation. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trim();
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!match) throw configError(`cannot parse config line ${i + 1}: "${line}"`);
    result.set(match[1]!, match[2]!);
  }
  return result;
}

/**
 * Parses a YAML config: a mapping whose keys are Kafka property names (`num.partitions: 3`), where nested
 * mappings are joined with dots (`log: {retention: {ms: 1000}}` is `log.retention.ms`). Scalars become their
 * text (integers exactly, however large); a sequence of scalars becomes a comma-separated list, as Kafka's
 * list properties are written. A key given twice (directly or through nesting) is an error.
 */
export function parseYamlConfig(text: string): Map<string, string> {
  const doc = parseDocument(text, { intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) throw configError(`invalid YAML: ${problem.message.trimEnd()}`);
  const result = new Map<string, string>();
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return result;
  if (!isMap(root)) throw configError('a YAML config must be a mapping of property names to values');
  flatten(root, '', result);
  return result;
}

function flatten(node: YamlNode, prefix: string, out: Map<string, string>): void {
  if (!isMap(node)) throw configError(`"${prefix}" is not a mapping`);
  for (const pair of node.items) {
    const keyNode = pair.key;
    const keyValue = isScalar(keyNode) ? keyNode.value : keyNode;
    if (keyValue === null || typeof keyValue === 'object') throw configError(`keys must be plain names${prefix ? ` (under "${prefix}")` : ''}`);
    const key = prefix === '' ? String(keyValue) : `${prefix}.${String(keyValue)}`;
    const value = pair.value as YamlNode | null;
    if (value !== null && isMap(value)) {
      flatten(value, key, out);
      continue;
    }
    if (out.has(key)) throw configError(`"${key}" is set twice`);
    out.set(key, scalarText(key, value));
  }
}

function scalarText(key: string, node: YamlNode | null): string {
  if (node !== null && isSeq(node)) {
    return node.items.map((item) => scalarText(key, item as YamlNode | null)).join(',');
  }
  if (node === null || !isScalar(node) || node.value === null || node.value === undefined) {
    throw configError(`"${key}" has no value`);
  }
  const value = node.value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw configError(`"${key}" has a value of an unsupported type`);
}
