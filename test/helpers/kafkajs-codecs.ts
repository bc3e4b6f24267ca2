// KafkaJS codec plug-ins for snappy, lz4 and zstd, for tests only. KafkaJS 2.2.4 ships only gzip; the other
// codecs are looked up in its (mutable, process-wide) CompressionCodecs table. The encodings follow what Kafka
// expects inside a record batch:
//   - snappy: raw snappy blocks on write (as librdkafka and @platformatic/kafka write them); on read, both raw
//     blocks and the xerial framing of the Java client are accepted.
//   - lz4: the LZ4 frame format (KIP-57), independent blocks, no content size.
//   - zstd: a plain zstd frame, from node:zlib's built-in zstd.
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** What KafkaJS hands a codec's compress(): its Encoder, whose `buffer` holds the bytes to compress. */
interface KafkaJSEncoder {
  buffer: Buffer;
}

export interface KafkaJSCodec {
  compress(encoder: KafkaJSEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** 0x82 "SNAPPY" 0x00: the magic that opens a xerial-framed snappy stream. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8 bytes), then int32 version and int32 minimum compatible version. */
const XERIAL_HEADER_BYTES = 16;

function snappyUncompress(block: Buffer): Buffer {
  const out = snappy.uncompressSync(block, { asBuffer: true });
  return typeof out === 'string' ? Buffer.from(out) : out;
}

/** Decodes raw snappy, or the xerial framing: a 16-byte header, then (int32 length, raw block) repeated. */
export function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return snappyUncompress(data);
  const parts: Buffer[] = [];
  let position = XERIAL_HEADER_BYTES;
  while (position < data.length) {
    if (position + 4 > data.length) throw new Error('truncated xerial snappy block length');
    const length = data.readInt32BE(position);
    position += 4;
    if (length < 0 || position + length > data.length) throw new Error('truncated xerial snappy block');
    parts.push(snappyUncompress(data.subarray(position, position + length)));
    position += length;
  }
  return Buffer.concat(parts);
}

export const snappyCodec: KafkaJSCodec = {
  async compress(encoder) {
    return snappy.compressSync(encoder.buffer);
  },
  async decompress(buffer) {
    return snappyDecompress(buffer);
  },
};

export const lz4Codec: KafkaJSCodec = {
  async compress(encoder) {
    return lz4.compressFrame(encoder.buffer);
  },
  async decompress(buffer) {
    return lz4.decompressFrame(buffer);
  },
};

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

export const zstdCodec: KafkaJSCodec = {
  async compress(encoder) {
    return zstdCompress(encoder.buffer);
  },
  async decompress(buffer) {
    return zstdDecompress(buffer);
  },
};

/** Registers snappy, lz4 and zstd with KafkaJS (idempotent; affects every KafkaJS client in this process). */
export function installKafkaJSCodecs(): void {
  const codecs = CompressionCodecs as Record<number, () => KafkaJSCodec>;
  codecs[CompressionTypes.Snappy] = () => snappyCodec;
  codecs[CompressionTypes.LZ4] = () => lz4Codec;
  codecs[CompressionTypes.ZSTD] = () => zstdCodec;
}
