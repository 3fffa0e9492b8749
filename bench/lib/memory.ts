/**
 * A server process's memory, as the kernel counts it (Linux's /proc): resident now, and the
 * highest it has been, which the kernel keeps exactly (a sampler can miss a short peak).
 */
import { readFileSync, writeFileSync } from 'node:fs';

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** The process's resident set now, in MB; null where /proc cannot tell. */
export function rssMb(pid: number): number | null {
  return statusMb(pid, 'VmRSS');
}

/** The highest resident set of the process so far (or since resetPeakRss), in MB. */
export function peakRssMb(pid: number): number | null {
  return statusMb(pid, 'VmHWM');
}

/** Starts the peak over from the resident set now (`5` in clear_refs; Linux 4.0 and later). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
