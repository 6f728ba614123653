import { appendFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../../util/index.ts';

export interface AuditFileOptions {
  /** The live log, e.g. `<stateDir>/audit.log`. */
  readonly path: string;
  readonly clock: Clock;
  /** Rotate once the file would grow past this (default 100 MiB, kube-apiserver's default). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 5); older ones are removed. */
  readonly maxBackups?: number;
}

/** Where audit events go, one JSON object per line. */
export interface AuditSink {
  write(line: string): void;
}

/**
 * An append-only JSON-lines file that rotates by size, as kube-apiserver's log backend:
 * the full file is renamed `audit-<timestamp>.log` next to it and a new one started.
 */
export class AuditFileWriter implements AuditSink {
  readonly #o: AuditFileOptions;
  #size: number;

  constructor(opts: AuditFileOptions) {
    this.#o = opts;
    this.#size = sizeOf(opts.path);
  }

  write(line: string): void {
    const data = `${line}\n`;
    const bytes = Buffer.byteLength(data);
    if (this.#size > 0 && this.#size + bytes > (this.#o.maxBytes ?? 100 * 1024 * 1024))
      this.#rotate();
    appendFileSync(this.#o.path, data, { mode: 0o600 });
    this.#size += bytes;
  }

  #rotate(): void {
    const { path } = this.#o;
    const stem = basename(path).replace(/\.log$/, '');
    const stamp = new Date(this.#o.clock.now()).toISOString().replace(/:/g, '-');
    renameSync(path, join(dirname(path), `${stem}-${stamp}.log`));
    this.#size = 0;
    const old = readdirSync(dirname(path))
      .filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.log'))
      .sort();
    const keep = this.#o.maxBackups ?? 5;
    for (const f of old.slice(0, Math.max(0, old.length - keep)))
      unlinkSync(join(dirname(path), f));
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
