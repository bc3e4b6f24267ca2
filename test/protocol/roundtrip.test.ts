import test from 'ava';
import { ProtocolDecodeError, Reader, ZERO_UUID } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { apiDefinitions, type ApiDefinition } from '../../src/protocol/generated/index.js';
import { messageSchemas, type FieldSchema, type MessageSchema } from '../../src/protocol/generated/schema.js';

// Schema-driven round trips: for every message and version, build a value with
// non-default data in every present field, encode, decode, and compare. Fields
// absent from the version are set to the default computed here independently
// of the generator, so wrong defaults or version ranges show up as diffs.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const inRange = (r: readonly [number, number] | undefined, v: number): boolean => r !== undefined && v >= r[0] && v <= r[1];

function defaultValue(f: FieldSchema): unknown {
  const d = f.default;
  switch (f.type) {
    case 'bool':
      return d === 'true' || d === true;
    case 'string':
      return d === 'null' ? null : (d ?? '');
    case 'bytes':
      return d === 'null' ? null : Buffer.alloc(0);
    case 'uuid':
      return ZERO_UUID;
    case 'records':
      return null;
    case 'array':
      return d === 'null' ? null : [];
    default:
      return d === undefined ? 0 : Number(d);
  }
}

interface Sample {
  input: unknown;
  expected: unknown;
}

class SampleBuilder {
  constructor(
    private readonly rand: () => number,
    private readonly version: number,
    private readonly flexible: boolean,
    /** 'full' fills everything; 'nulls' prefers null where the version allows it. */
    private readonly mode: 'full' | 'nulls',
  ) {}

  int(bits: number, signed: boolean): number {
    const span = 2 ** bits;
    const raw = Math.floor(this.rand() * span);
    return signed ? raw - span / 2 : raw;
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.rand() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  string(): string {
    const pieces = ['a', 'Z', '9', '.', '-', '_', 'é', '✓', '𝄞'];
    const n = 1 + Math.floor(this.rand() * 8);
    let s = '';
    for (let i = 0; i < n; i++) s += pieces[Math.floor(this.rand() * pieces.length)];
    return s;
  }

  bytes(len: number): Buffer {
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(this.rand() * 256);
    return b;
  }

  /** A primitive value that differs from the default `d`. */
  primitive(type: string, d: unknown): Sample {
    for (;;) {
      let v: unknown;
      switch (type) {
        case 'bool':
          v = !d;
          break;
        case 'int8':
          v = this.int(8, true);
          break;
        case 'int16':
          v = this.int(16, true);
          break;
        case 'uint16':
          v = this.int(16, false);
          break;
        case 'int32':
          v = this.int(32, true);
          break;
        case 'uint32':
          v = this.int(32, false);
          break;
        case 'int64':
          // Negative and beyond-32-bit values exercise the high word.
          v = this.int(52, true);
          break;
        case 'float64':
          v = (this.rand() - 0.5) * 1e6;
          break;
        case 'string':
          v = this.string();
          break;
        case 'uuid':
          v = this.uuid();
          break;
        case 'bytes': {
          const b = this.bytes(1 + Math.floor(this.rand() * 5));
          return { input: b, expected: b };
        }
        case 'records': {
          // Alternate one blob, a large blob (written by reference), and chunk lists.
          const pick = this.rand();
          if (pick < 0.33) {
            const b = this.bytes(3 + Math.floor(this.rand() * 20));
            return { input: b, expected: b };
          }
          if (pick < 0.66) {
            const b = this.bytes(2000);
            return { input: b, expected: b };
          }
          const chunks = [this.bytes(5), this.bytes(1500), new Uint8Array(this.bytes(3))];
          return { input: chunks, expected: Buffer.concat(chunks) };
        }
        default:
          throw new Error(`unknown type ${type}`);
      }
      if (v !== d) return { input: v, expected: v };
    }
  }

  field(f: FieldSchema): Sample | undefined {
    const v = this.version;
    const present = inRange(f.versions, v) && (f.tag === undefined || this.flexible);
    if (!present) {
      if (f.tag !== undefined) return undefined;
      const d = defaultValue(f);
      return { input: d, expected: d };
    }
    const nullable = inRange(f.nullable, v);
    if (nullable && (this.mode === 'nulls' || this.rand() < 0.15)) {
      // A tagged field whose default is null would be skipped, so keep it non-null.
      if (!(f.tag !== undefined && defaultValue(f) === null)) return { input: null, expected: null };
    }
    if (f.type === 'struct') return this.struct(f.fields!);
    if (f.type === 'array') {
      const n = f.tag !== undefined || this.mode === 'full' ? 1 + Math.floor(this.rand() * 2) : Math.floor(this.rand() * 3);
      const input: unknown[] = [];
      const expected: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const s = f.elem === 'struct' ? this.struct(f.fields!) : this.primitive(f.elem!, undefined);
        input.push(s.input);
        expected.push(s.expected);
      }
      return { input, expected };
    }
    return this.primitive(f.type, defaultValue(f));
  }

  struct(fields: readonly FieldSchema[]): Sample {
    const input: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const f of fields) {
      const s = this.field(f);
      if (s === undefined) continue;
      input[f.name] = s.input;
      expected[f.name] = s.expected;
    }
    return { input, expected };
  }
}

function definitionFor(schema: MessageSchema): ApiDefinition {
  const def = apiDefinitions[schema.apiKey];
  if (def === undefined) throw new Error(`no definition for ${schema.name}`);
  return def;
}

function codecs(schema: MessageSchema): {
  encode: (w: Writer, v: number, value: unknown) => void;
  decode: (r: Reader, v: number) => unknown;
} {
  const def = definitionFor(schema);
  return schema.name.endsWith('Request')
    ? { encode: (w, v, value) => def.encodeRequest(w, v, value), decode: (r, v) => def.decodeRequest(r, v) }
    : { encode: (w, v, value) => def.encodeResponse(w, v, value), decode: (r, v) => def.decodeResponse(r, v) };
}

function isFlexible(schema: MessageSchema, version: number): boolean {
  return schema.firstFlexibleVersion !== null && version >= schema.firstFlexibleVersion;
}

test('schema covers every API in both directions', (t) => {
  const defined = apiDefinitions.filter((d) => d !== undefined);
  t.is(defined.length, 32);
  t.is(messageSchemas.length, 64);
  for (const d of defined) {
    t.true(messageSchemas.some((s) => s.name === `${d.name}Request` && s.minVersion === d.minVersion && s.maxVersion === d.maxVersion));
    t.true(messageSchemas.some((s) => s.name === `${d.name}Response`));
  }
});

for (const schema of messageSchemas) {
  test(`round-trip ${schema.name} v${schema.minVersion}-${schema.maxVersion}`, (t) => {
    const { encode, decode } = codecs(schema);
    for (let version = schema.minVersion; version <= schema.maxVersion; version++) {
      for (const mode of ['full', 'nulls'] as const) {
        for (let seed = 1; seed <= 3; seed++) {
          const b = new SampleBuilder(rng(seed * 1000 + version), version, isFlexible(schema, version), mode);
          const sample = b.struct(schema.fields);
          const w = new Writer(64);
          encode(w, version, sample.input);
          const bytes = w.toBuffer();
          t.is(bytes.length, w.length);
          const r = new Reader(bytes);
          const decoded = decode(r, version);
          t.deepEqual(decoded, sample.expected, `${schema.name} v${version} ${mode} seed ${seed}`);
          t.is(r.remaining(), 0, `${schema.name} v${version} leaves no bytes`);
          // Re-encoding the decoded value reproduces the same bytes.
          const w2 = new Writer();
          encode(w2, version, decoded);
          t.true(w2.toBuffer().equals(bytes), `${schema.name} v${version} re-encode`);
        }
      }
    }
  });

  test(`truncated ${schema.name} throws ProtocolDecodeError at every cut`, (t) => {
    const { encode, decode } = codecs(schema);
    for (let version = schema.minVersion; version <= schema.maxVersion; version++) {
      const b = new SampleBuilder(rng(7 + version), version, isFlexible(schema, version), 'full');
      const w = new Writer();
      encode(w, version, b.struct(schema.fields).input);
      const bytes = w.toBuffer();
      // Every prefix must fail: decoding is deterministic, so a prefix follows
      // the full decode's path until it runs out of input.
      const step = bytes.length > 400 ? Math.ceil(bytes.length / 400) : 1;
      for (let cut = 0; cut < bytes.length; cut += step) {
        const err = t.throws(() => decode(new Reader(bytes, 0, cut), version), undefined, `${schema.name} v${version} cut ${cut}`);
        t.true(err instanceof ProtocolDecodeError, `${schema.name} v${version} cut ${cut}: ${String(err)}`);
      }
    }
  });
}

test('unknown tagged fields are skipped and known ones still decode', (t) => {
  const schema = messageSchemas.find((s) => s.name === 'ApiVersionsResponse')!;
  const { decode } = codecs(schema);
  const w = new Writer();
  w.writeInt16(0);
  w.writeUnsignedVarInt(1); // empty compact array
  w.writeInt32(0);
  w.writeUnsignedVarInt(3);
  w.writeUnsignedVarInt(1); // FinalizedFeaturesEpoch
  w.writeUnsignedVarInt(8);
  w.writeInt64(42);
  w.writeUnsignedVarInt(77); // unknown
  w.writeUnsignedVarInt(3);
  w.writeRaw(Buffer.from([1, 2, 3]));
  w.writeUnsignedVarInt(300); // unknown, multi-byte tag
  w.writeUnsignedVarInt(0);
  const r = new Reader(w.toBuffer());
  t.deepEqual(decode(r, 3), { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: 42 });
  t.is(r.remaining(), 0);
});

test('tagged fields equal to their default are not written', (t) => {
  const def = apiDefinitions[18]!;
  const w = new Writer();
  def.encodeResponse(w, 3, {
    errorCode: 0,
    apiKeys: [],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    zkMigrationReady: false,
  });
  t.deepEqual([...w.toBuffer()], [0, 0, 1, 0, 0, 0, 0, 0]);
});

test('a tagged field whose declared size is too small is rejected', (t) => {
  const w = new Writer();
  w.writeInt16(0);
  w.writeUnsignedVarInt(1);
  w.writeInt32(0);
  w.writeUnsignedVarInt(1);
  w.writeUnsignedVarInt(1); // FinalizedFeaturesEpoch is an int64 ...
  w.writeUnsignedVarInt(2); // ... but claims 2 bytes
  w.writeInt64(42);
  const err = t.throws(() => apiDefinitions[18]!.decodeResponse(new Reader(w.toBuffer()), 3));
  t.true(err instanceof ProtocolDecodeError);
});
