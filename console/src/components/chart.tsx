// A time-series line chart on uPlot (small, canvas-based, fast with thousands of points).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
}

export interface ChartProps {
  title: string;
  /** Epoch ms of each point. */
  t: number[];
  series: ChartSeries[];
  format(value: number): string;
  testId?: string;
}

export function Chart({ title, t, series, format, testId }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('\u0000');

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const options: uPlot.Options = {
      title,
      width: Math.max(200, element.clientWidth),
      height: 220,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? '-' : format(v)) }))],
      axes: [{}, { values: (_u: uPlot, values: number[]) => values.map((v) => format(v)), size: 70 }],
      scales: { x: { time: true } },
      legend: { live: true },
    };
    plot.current = new uPlot(options, data(t, series), element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; new points go through setData below.
  }, [shape, title]);

  useEffect(() => {
    plot.current?.setData(data(t, series));
  }, [t, series]);

  return <div class="chart" ref={host} data-testid={testId} data-points={t.length} />;
}

function data(t: number[], series: ChartSeries[]): uPlot.AlignedData {
  return [t.map((ms) => ms / 1000), ...series.map((s) => s.values)];
}
