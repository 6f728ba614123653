/** One durable row of the revision log. For a deletion, `json` is the object's last state. */
export interface LogRecord {
  readonly revision: number;
  readonly key: string;
  readonly json: string;
  readonly deleted: boolean;
  readonly createRevision: number;
}

export interface LoadedState {
  readonly entries: readonly {
    key: string;
    json: string;
    createRevision: number;
    modRevision: number;
  }[];
  readonly revision: number;
  /** The retained log, oldest first: every record with revision > compactedRevision. */
  readonly log: readonly LogRecord[];
  readonly compactedRevision: number;
}

/**
 * Where a CachedStore makes its writes durable. `append` returns once the record is durable
 * (for SQLite: committed to the WAL, which survives a process kill).
 */
export interface Persistence {
  load(): LoadedState;
  append(record: LogRecord): void;
  /** Forgets log records with revision <= `revision`. */
  compact(revision: number): void;
  close(): void;
}

/** Keeps nothing: for tests and throwaway clusters. */
export const noPersistence: Persistence = {
  load: () => ({ entries: [], revision: 0, log: [], compactedRevision: 0 }),
  append: () => undefined,
  compact: () => undefined,
  close: () => undefined,
};
