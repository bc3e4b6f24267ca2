// Compression of a record batch's records section, for all five codecs Kafka defines: none, gzip, snappy,
// lz4 and zstd. gzip and zstd come from node:zlib; snappy and lz4 from native npm packages (snappy,
// lz4-napi), which are runtime dependencies so every part of Spate (broker validation, client, CLI) reads
// and writes what kcat and the Java client send.
//   - snappy: raw snappy blocks are written (as librdkafka writes them; the Java client reads them); on read
//     both raw blocks and the xerial framing the Java client writes are accepted.
//   - lz4: the LZ4 frame format (KIP-57).
// Decompression is bounded: the output size is known (snappy, lz4 frames) or capped (zlib) before any large
// allocation, so a small hostile batch cannot make the broker allocate gigabytes.
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_CODEC_IDS: Readonly<Record<Compression, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const CODEC_NAMES: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Largest records section a batch may decompress to unless the caller says otherwise. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** The name of a codec id from the batch attributes (`#n` for an unknown one). */
export function compressionName(codecId: number): string {
  return CODEC_NAMES[codecId] ?? `#${codecId}`;
}

/** Whether `codecId` (attributes & 7) names a codec Kafka defines: 0-4. */
export function isSupportedCodec(codecId: number): boolean {
  return codecId >= 0 && codecId < CODEC_NAMES.length;
}

export type DecompressionFailure = 'corrupt' | 'too-large' | 'unsupported';

export class DecompressionError extends Error {
  override readonly name = 'DecompressionError';
  constructor(
    readonly failure: DecompressionFailure,
    message: string,
  ) {
    super(message);
  }
}

export function compressRecords(compression: Compression, data: Buffer): Buffer {
  switch (compression) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return snappy.compressSync(data);
    case 'lz4':
      return lz4.compressFrameSync(data);
    case 'zstd':
      return zstdCompressSync(data);
  }
}

/**
 * The uncompressed records section of a batch whose codec is `codecId`. Throws DecompressionError: 'corrupt'
 * for damaged data, 'too-large' when it would exceed `maxBytes`, 'unsupported' for an unknown codec id.
 */
export function decompressRecords(codecId: number, data: Uint8Array, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Uint8Array {
  if (codecId === 0) return data;
  const name = compressionName(codecId);
  try {
    switch (codecId) {
      case 1:
        return gunzipSync(data, { maxOutputLength: maxBytes });
      case 2:
        return snappyDecompress(asBuffer(data), maxBytes);
      case 3:
        return lz4Decompress(asBuffer(data), maxBytes);
      case 4:
        return zstdDecompressSync(data, { maxOutputLength: maxBytes });
      default:
        throw new DecompressionError('unsupported', `compression codec ${name} is not supported`);
    }
  } catch (error) {
    if (error instanceof DecompressionError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecompressionError('too-large', `${name} records decompress to more than ${maxBytes} bytes`);
    }
    throw new DecompressionError('corrupt', `${name} records cannot be decompressed: ${(error as Error).message}`);
  }
}

/** The native codecs take Buffers; a view over a SharedArrayBuffer is wrapped, not copied. */
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function tooLarge(codec: string, size: number, maxBytes: number): DecompressionError {
  return new DecompressionError('too-large', `${codec} records decompress to ${size} bytes, more than ${maxBytes}`);
}

// ---------------------------------------------------------------------------------------------------------
// snappy

/** 0x82 "SNAPPY" 0x00: the magic that opens a xerial-framed snappy stream. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8 bytes), then int32 version and int32 minimum compatible version. */
const XERIAL_HEADER_BYTES = 16;

/** The uncompressed length a raw snappy block declares in its varint preamble. */
function snappyDeclaredLength(block: Buffer): number {
  let length = 0;
  let shift = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new DecompressionError('corrupt', 'snappy block ends inside its length preamble');
    const b = block[i]!;
    length += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return length;
    shift *= 0x80;
  }
  throw new DecompressionError('corrupt', 'snappy length preamble is too long');
}

function snappyBlock(block: Buffer): Buffer {
  const out = snappy.uncompressSync(block, { asBuffer: true });
  return typeof out === 'string' ? Buffer.from(out) : out;
}

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    const size = snappyDeclaredLength(data);
    if (size > maxBytes) throw tooLarge('snappy', size, maxBytes);
    return snappyBlock(data);
  }
  // xerial framing: (int32 length, raw block) repeated after the header.
  const blocks: Buffer[] = [];
  let total = 0;
  let position = XERIAL_HEADER_BYTES;
  while (position < data.length) {
    if (position + 4 > data.length) throw new DecompressionError('corrupt', 'truncated xerial snappy block length');
    const length = data.readInt32BE(position);
    position += 4;
    if (length < 0 || position + length > data.length) throw new DecompressionError('corrupt', 'truncated xerial snappy block');
    const block = data.subarray(position, position + length);
    total += snappyDeclaredLength(block);
    if (total > maxBytes) throw tooLarge('snappy', total, maxBytes);
    blocks.push(block);
    position += length;
  }
  return Buffer.concat(blocks.map(snappyBlock), total);
}

// ---------------------------------------------------------------------------------------------------------
// lz4 frames

const LZ4_FRAME_MAGIC = 0x184d2204;
/** Block maximum sizes by the BD byte's block-size id (4-7). */
const LZ4_BLOCK_MAX: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/**
 * An upper bound of what the LZ4 frame decompresses to, from its header and block headers alone: the content
 * size when the frame declares it, otherwise the block count times the block maximum size.
 */
function lz4DecompressedBound(data: Buffer): number {
  if (data.length < 7 || data.readUInt32LE(0) !== LZ4_FRAME_MAGIC) throw new DecompressionError('corrupt', 'not an LZ4 frame');
  const flags = data[4]!;
  const blockMax = LZ4_BLOCK_MAX[(data[5]! >> 4) & 0x07];
  if (blockMax === undefined) throw new DecompressionError('corrupt', 'LZ4 frame has an invalid block size');
  const hasContentSize = (flags & 0x08) !== 0;
  const blockChecksums = (flags & 0x10) !== 0;
  let position = 6;
  if (hasContentSize) {
    if (data.length < position + 8) throw new DecompressionError('corrupt', 'truncated LZ4 frame header');
    const contentSize = Number(data.readBigUInt64LE(position));
    position += 8;
    if (flags & 0x01) position += 4;
    return contentSize;
  }
  if (flags & 0x01) position += 4; // dictionary id
  position += 1; // header checksum
  let blocks = 0;
  for (;;) {
    if (position + 4 > data.length) throw new DecompressionError('corrupt', 'truncated LZ4 frame');
    const word = data.readUInt32LE(position);
    position += 4;
    if (word === 0) return blocks * blockMax;
    const size = word & 0x7fffffff;
    position += size + (blockChecksums ? 4 : 0);
    blocks++;
  }
}

function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const bound = lz4DecompressedBound(data);
  if (bound > maxBytes) throw tooLarge('lz4', bound, maxBytes);
  return lz4.decompressFrameSync(data);
}
