// A whole key or value, decoded as text, pretty-printed JSON or hex, in a virtualised box: a 900 KiB JSON
// document becomes tens of thousands of lines, of which only those in view are in the DOM.
import { useMemo } from 'preact/hooks';
import { decodeLines, type Decoding } from '../format.js';
import { VirtualList } from './virtual-list.js';

export function TextViewer({ bytes, decoding, testId, quiet }: { bytes: Uint8Array; decoding: Decoding; testId: string; quiet?: boolean }) {
  const lines = useMemo(() => decodeLines(bytes, decoding, 160, quiet === true), [bytes, decoding, quiet]);
  return (
    <div class="viewer">
      {lines.note !== null && <div class="note">{lines.note}</div>}
      <div class="muted small" data-testid={`${testId}-lines`} data-lines={lines.count}>
        {lines.count.toLocaleString('en-US')} lines, {bytes.length.toLocaleString('en-US')} bytes
      </div>
      <VirtualList count={lines.count} rowHeight={18} height={quiet === true ? 108 : 420} className="mono" testId={testId} row={(i) => <span class="line">{lines.at(i)}</span>} />
    </div>
  );
}
