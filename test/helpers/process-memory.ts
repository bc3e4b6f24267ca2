// Memory of a live process as Linux reports it in /proc/<pid>/status: resident set (VmRSS), its high-water mark
// (VmHWM) and the virtual size (VmSize). Attack tests read the broker child process with it before, during and
// after an attack, and assert bounds in bytes.
import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  rssBytes: number;
  hwmBytes: number;
  vmSizeBytes: number;
}

export function readProcessMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: field('VmRSS'), hwmBytes: field('VmHWM'), vmSizeBytes: field('VmSize') };
}

/** Samples a process's RSS every `intervalMs` and keeps the largest seen (VmHWM covers the whole process life). */
export class RssSampler {
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  #peakRss = 0;
  #peakVmSize = 0;

  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    try {
      const memory = readProcessMemory(this.#pid);
      this.#peakRss = Math.max(this.#peakRss, memory.rssBytes);
      this.#peakVmSize = Math.max(this.#peakVmSize, memory.vmSizeBytes);
    } catch {
      // The process is gone; the peaks so far stand.
    }
  }

  /** Stops sampling and returns the peaks seen. */
  stop(): { peakRssBytes: number; peakVmSizeBytes: number } {
    clearInterval(this.#timer);
    this.#sample();
    return { peakRssBytes: this.#peakRss, peakVmSizeBytes: this.#peakVmSize };
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
