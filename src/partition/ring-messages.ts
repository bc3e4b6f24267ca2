// Layout of the data-plane frames exchanged between the network front-end and partition workers.
// Both sides run on the same machine, so fields are little-endian (native) for cheap DataView access.
// Request headers are a multiple of 8 bytes so a produce batch keeps the alignment it had in the socket buffer.

export const Op = {
  Produce: 1,
  Fetch: 2,
  ListOffsets: 3,
} as const;
export type OpValue = (typeof Op)[keyof typeof Op];

/** Request frame (front-end to worker). */
export const Req = {
  requestId: 0, // u32
  op: 4, // u8
  flags: 5, // u8: fetch: first batch returned whole (KIP-74); produce: acks=-1
  partitionId: 8, // u32
  length: 12, // i32: produce: batch length; fetch: max bytes
  number: 16, // f64: produce: broker time; fetch: offset; list offsets: timestamp
  headerBytes: 24,
} as const;

/** Reply frame (worker to front-end). */
export const Rep = {
  requestId: 0, // u32
  op: 4, // u8
  errorCode: 6, // i16
  a: 8, // f64: produce: base offset; fetch: high watermark; list offsets: offset
  logStartOffset: 16, // f64
  c: 24, // f64: produce: log end offset; fetch: last stable offset; list offsets: timestamp
  dataLength: 32, // i32: fetch: bytes of record data that follow the header
  headerBytes: 40,
} as const;

export const FLAG_FIRST_BATCH_WHOLE = 1;
/** Produce with acks=-1: the reply waits until an fdatasync covers the batch. */
export const FLAG_ACKS_ALL = 2;

/** ListOffsets special timestamps, as on the wire. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
