/**
 * An append-only journal of store changes, one JSON line per transaction, with group commit:
 * lines appended while a write is in flight are written together by the next write, and each
 * write ends with fdatasync. A caller's promise resolves only once its line is on disk, so the
 * cost of a write is one small append however big the store is.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { readFileSync, existsSync, truncateSync } from 'node:fs';

export class Journal {
  private pending: { line: string; done: () => void; failed: (error: Error) => void }[] = [];
  private writing: Promise<void> | null = null;
  private bytes: number;
  /** Run between two writes, when no line is half-written: compaction hooks in here. */
  private maintenance: (() => Promise<void>) | null = null;

  private constructor(
    private readonly file: FileHandle,
    size: number,
  ) {
    this.bytes = size;
  }

  /**
   * Reads the journal's complete lines and opens it for appending. A last line without its
   * newline is a write that a crash cut short: it was never acknowledged, so it is cut off.
   */
  static async open(path: string): Promise<{ journal: Journal; lines: string[] }> {
    let lines: string[] = [];
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
      lines = text.slice(0, end).split('\n').filter(Boolean);
    }
    const file = await open(path, 'a');
    const { size } = await file.stat();
    return { journal: new Journal(file, size), lines };
  }

  get size(): number {
    return this.bytes;
  }

  /** Resolves when the line is durable. */
  append(line: string): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ line: `${line}\n`, done, failed });
      this.writing ??= this.drain();
    });
  }

  /** Schedules work to run once, between writes, with the journal quiet. */
  requestMaintenance(task: () => Promise<void>): void {
    this.maintenance ??= task;
    this.writing ??= this.drain();
  }

  /** Empties the journal: only for compaction, after a snapshot holds everything in it. */
  async truncate(): Promise<void> {
    await this.file.truncate(0);
    await this.file.datasync();
    this.bytes = 0;
  }

  /** Waits for every appended line to be durable. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.file.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 || this.maintenance) {
        if (this.pending.length > 0) {
          const batch = this.pending;
          this.pending = [];
          try {
            const data = batch.map((entry) => entry.line).join('');
            await this.file.write(data);
            await this.file.datasync();
            this.bytes += Buffer.byteLength(data);
            for (const entry of batch) entry.done();
          } catch (error) {
            // Cut off whatever part of the batch reached the file: those requests are failing,
            // so a restart must not replay them.
            await this.file.truncate(this.bytes).catch(() => undefined);
            // Newest first, so that each transaction's undo finds memory as it left it.
            for (const entry of [...batch].reverse()) entry.failed(error as Error);
          }
        } else if (this.maintenance) {
          const task = this.maintenance;
          this.maintenance = null;
          await task();
        }
      }
    } finally {
      this.writing = null;
    }
  }
}
