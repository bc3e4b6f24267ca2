// Reads the topic list out of a `consumer` protocol subscription (ConsumerProtocolSubscription v0-3, not
// flexible: int16 version, then an array of int16-length strings). Only OffsetDelete needs it, to refuse
// deleting offsets of topics the group still consumes.
export function subscribedTopics(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  const version = metadata.readInt16BE(0);
  const count = metadata.readInt32BE(2);
  if (version < 0 || count < 0) return null;
  const topics: string[] = [];
  let pos = 6;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > metadata.length) return null;
    const len = metadata.readInt16BE(pos);
    pos += 2;
    if (len < 0 || pos + len > metadata.length) return null;
    topics.push(metadata.toString('utf8', pos, pos + len));
    pos += len;
  }
  return topics;
}
