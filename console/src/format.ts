// Numbers, sizes, times and message bytes as the pages show them.
import type { EncodedBytes } from '../../src/console/api-types.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatTime(ms: number): string {
  if (ms < 0) return '-';
  const d = new Date(ms);
  const pad = (x: number, w = 2): string => String(x).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export type Decoding = 'text' | 'json' | 'hex';

export function base64Bytes(b64: string): Uint8Array {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const utf8 = new TextDecoder('utf-8');

export function bytesText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** A one-line preview of a key or value for the message list (at most `max` characters). */
export function preview(value: EncodedBytes | null, decoding: Decoding, max = 160): string {
  if (value === null) return 'null';
  const bytes = base64Bytes(value.base64);
  let text: string;
  if (decoding === 'hex') text = hexPreview(bytes, Math.ceil(max / 3));
  else text = bytesText(bytes).replace(/\s+/g, ' ');
  if (text.length > max) text = `${text.slice(0, max)}…`;
  else if (value.truncated) text += '…';
  return text;
}

function hexPreview(bytes: Uint8Array, count: number): string {
  let out = '';
  for (let i = 0; i < Math.min(count, bytes.length); i++) out += `${bytes[i]!.toString(16).padStart(2, '0')} `;
  return out.trimEnd();
}

/** The lines of a whole value for the text viewer: long lines are wrapped at `width` characters. */
export interface Lines {
  count: number;
  at(index: number): string;
  /** Why the chosen decoding fell back to text, if it did. */
  note: string | null;
}

/** `quiet`: a value that is not JSON is shown as text without a note (keys are rarely JSON). */
export function decodeLines(bytes: Uint8Array, decoding: Decoding, width = 160, quiet = false): Lines {
  if (decoding === 'hex') {
    const perLine = 16;
    return {
      count: Math.ceil(bytes.length / perLine),
      note: null,
      at(i) {
        const start = i * perLine;
        const chunk = bytes.subarray(start, start + perLine);
        let hex = '';
        let ascii = '';
        for (const b of chunk) {
          hex += `${b.toString(16).padStart(2, '0')} `;
          ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
        }
        return `${start.toString(16).padStart(8, '0')}  ${hex.padEnd(perLine * 3)} ${ascii}`;
      },
    };
  }
  let text = bytesText(bytes);
  let note: string | null = null;
  if (decoding === 'json') {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      if (!quiet) note = `not JSON (${(error as Error).message}); shown as text`;
    }
  }
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width) lines.push(line);
    else for (let i = 0; i < line.length; i += width) lines.push(line.slice(i, i + width));
  }
  return { count: lines.length, at: (i) => lines[i] ?? '', note };
}
