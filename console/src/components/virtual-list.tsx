// A list that renders only the rows in view (plus a few), so 10,000 topics or 50,000 lines of a pretty-printed
// message cost the DOM a few dozen nodes. Rows have one fixed height.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Height of the scrolling box in pixels. */
  height: number;
  row(index: number): ComponentChildren;
  testId?: string;
  className?: string;
}

const OVERSCAN = 8;

export function VirtualList({ count, rowHeight, height, row, testId, className }: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  useEffect(() => {
    // A shorter list than the scroll position (a new search) starts at its top again.
    if (box.current && scrollTop > count * rowHeight) {
      box.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [count, rowHeight, scrollTop]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} class="vrow" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {row(i)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      class={`vlist ${className ?? ''}`}
      style={{ height: `${Math.min(height, Math.max(count * rowHeight, rowHeight))}px` }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
      data-count={count}
    >
      <div class="vlist-inner" style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
