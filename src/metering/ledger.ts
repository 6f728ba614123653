import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KilnError } from '../util/index.ts';
import type { OpenUsage, UsageRecord } from './types.ts';

/** The on-disk layout's version (PRAGMA user_version); a file of another version is refused. */
export const METERING_SCHEMA_VERSION = 1;

/** Where the daemon keeps the ledger and `kiln cost` reads it. */
export function meteringDbPath(stateDir: string): string {
  return join(stateDir, 'metering.db');
}

/** The ledger file cannot be used: another schema version, or missing when it must exist. */
export class MeteringError extends KilnError {
  readonly code = 'KILN_METERING_LEDGER';
}

export interface LedgerOptions {
  /** The SQLite file; `:memory:` keeps the ledger in memory (tests, `--in-memory`). */
  readonly path: string;
  /** Open for reading only (`kiln cost`, while the daemon may be writing). */
  readonly readonly?: boolean;
  /** fsync every commit (survives power loss). Off: WAL commits survive a process crash. */
  readonly fsync?: boolean;
}

/** Narrows the query to one cluster; every cluster when absent. */
export interface LedgerFilter {
  readonly cluster?: string;
}

interface UsageRow {
  cluster: string;
  uid: string;
  kind: string;
  region: string;
  namespace: string;
  name: string;
  profile: string;
  node: string;
  instance_type: string;
  nodegroup: string;
  vcpu: number;
  memory_gb: number;
  requested_vcpu: number;
  requested_gb: number;
  storage_gb: number;
  start_ms: number;
  end_ms: number | null;
  last_seen_ms: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS usage (
    cluster TEXT NOT NULL, uid TEXT NOT NULL, kind TEXT NOT NULL, region TEXT NOT NULL,
    namespace TEXT NOT NULL, name TEXT NOT NULL, profile TEXT NOT NULL, node TEXT NOT NULL,
    instance_type TEXT NOT NULL, nodegroup TEXT NOT NULL,
    vcpu REAL NOT NULL, memory_gb REAL NOT NULL, requested_vcpu REAL NOT NULL,
    requested_gb REAL NOT NULL, storage_gb REAL NOT NULL,
    start_ms INTEGER NOT NULL, end_ms INTEGER, last_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (cluster, uid)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS usage_open ON usage (cluster, end_ms);
  CREATE INDEX IF NOT EXISTS usage_start ON usage (start_ms);
  PRAGMA user_version = ${String(METERING_SCHEMA_VERSION)};
`;

const COLUMNS =
  'cluster, uid, kind, region, namespace, name, profile, node, instance_type, nodegroup, ' +
  'vcpu, memory_gb, requested_vcpu, requested_gb, storage_gb, start_ms, end_ms, last_seen_ms';

function toRow(r: OpenUsage, lastSeenMs: number): UsageRow {
  const common = {
    cluster: r.cluster,
    uid: r.uid,
    kind: r.kind,
    region: r.region,
    name: r.name,
    start_ms: r.startMs,
    end_ms: null,
    last_seen_ms: lastSeenMs,
  };
  if (r.kind === 'node') {
    return {
      ...common,
      namespace: '',
      profile: '',
      node: r.name,
      instance_type: r.instanceType,
      nodegroup: r.nodegroup,
      vcpu: 0,
      memory_gb: 0,
      requested_vcpu: 0,
      requested_gb: 0,
      storage_gb: 0,
    };
  }
  return {
    ...common,
    namespace: r.namespace,
    profile: r.profile,
    node: r.node,
    instance_type: '',
    nodegroup: '',
    vcpu: r.vcpu,
    memory_gb: r.memoryGb,
    requested_vcpu: r.requestedVcpu,
    requested_gb: r.requestedGb,
    storage_gb: r.storageGb,
  };
}

function fromRow(row: UsageRow): UsageRecord {
  const common = {
    cluster: row.cluster,
    region: row.region,
    uid: row.uid,
    name: row.name,
    startMs: row.start_ms,
    endMs: row.end_ms ?? undefined,
    lastSeenMs: row.last_seen_ms,
  };
  if (row.kind === 'node') {
    return { ...common, kind: 'node', instanceType: row.instance_type, nodegroup: row.nodegroup };
  }
  return {
    ...common,
    kind: 'fargate-pod',
    namespace: row.namespace,
    profile: row.profile,
    node: row.node,
    vcpu: row.vcpu,
    memoryGb: row.memory_gb,
    requestedVcpu: row.requested_vcpu,
    requestedGb: row.requested_gb,
    storageGb: row.storage_gb,
  };
}

function hasTables(db: Database.Database): boolean {
  const n = db
    .prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    .get()?.n;
  return n !== undefined && n > 0;
}

/** Refuses a file written by another schema version; says whether the ledger has its table. */
function checkSchema(db: Database.Database, path: string): boolean {
  const version = Number(db.pragma('user_version', { simple: true }));
  const tables = hasTables(db);
  if (tables && version !== METERING_SCHEMA_VERSION) {
    db.close();
    throw new MeteringError(
      `${path} has metering schema ${String(version)}, this Kiln reads ${String(METERING_SCHEMA_VERSION)}: move the file away to start a new ledger`,
    );
  }
  return tables;
}

/**
 * The durable usage ledger: one row per Fargate pod and per node-group node, keyed by cluster
 * and uid, in its own SQLite file (WAL mode, so `kiln cost` reads while the daemon writes).
 * Records are opened when billing starts and closed when the object goes away; nothing is
 * ever deleted, so costs are computed on read from the records and the price catalogue.
 */
export class UsageLedger {
  readonly #db: Database.Database;
  /** False for a read-only file the daemon never initialised: every query is empty. */
  readonly #ready: boolean;

  constructor(opts: LedgerOptions) {
    const readonly = opts.readonly === true;
    try {
      this.#db = new Database(opts.path, readonly ? { readonly, fileMustExist: true } : {});
    } catch (e: unknown) {
      throw new MeteringError(
        `cannot open the usage ledger ${opts.path}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    if (readonly) {
      this.#ready = checkSchema(this.#db, opts.path);
      return;
    }
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${opts.fsync === true ? 'FULL' : 'NORMAL'}`);
    checkSchema(this.#db, opts.path);
    this.#db.exec(SCHEMA);
    this.#ready = true;
  }

  /** A ledger that lives as long as the process (tests, `kiln up --in-memory`). */
  static inMemory(): UsageLedger {
    return new UsageLedger({ path: ':memory:' });
  }

  /** Opens a record; a record already kept for this cluster and uid is left as it is. */
  start(record: OpenUsage, nowMs: number): boolean {
    const row = toRow(record, nowMs);
    const placeholders = COLUMNS.split(', ')
      .map((c) => `@${c}`)
      .join(', ');
    const info = this.#db
      .prepare(`INSERT OR IGNORE INTO usage (${COLUMNS}) VALUES (${placeholders})`)
      .run(row);
    return info.changes > 0;
  }

  /** Closes an open record at `endMs` (never before its start). False when none was open. */
  stop(key: { cluster: string; uid: string }, endMs: number): boolean {
    const info = this.#db
      .prepare<[number, number, string, string]>(
        'UPDATE usage SET end_ms = max(start_ms, ?), last_seen_ms = ? ' +
          'WHERE cluster = ? AND uid = ? AND end_ms IS NULL',
      )
      .run(endMs, endMs, key.cluster, key.uid);
    return info.changes > 0;
  }

  /** Closes every open record of a cluster (the cluster was deleted). Returns how many. */
  stopCluster(cluster: string, endMs: number): number {
    return this.#db
      .prepare<[number, number, string]>(
        'UPDATE usage SET end_ms = max(start_ms, ?), last_seen_ms = ? ' +
          'WHERE cluster = ? AND end_ms IS NULL',
      )
      .run(endMs, endMs, cluster).changes;
  }

  /** Marks every open record of a cluster as seen now, in one statement. Returns how many. */
  touch(cluster: string, nowMs: number): number {
    return this.#db
      .prepare<[number, string]>(
        'UPDATE usage SET last_seen_ms = ? WHERE cluster = ? AND end_ms IS NULL',
      )
      .run(nowMs, cluster).changes;
  }

  /** The record kept for a cluster and uid. */
  get(key: { cluster: string; uid: string }): UsageRecord | undefined {
    if (!this.#ready) return undefined;
    const row = this.#db
      .prepare<[string, string], UsageRow>(
        `SELECT ${COLUMNS} FROM usage WHERE cluster = ? AND uid = ?`,
      )
      .get(key.cluster, key.uid);
    return row === undefined ? undefined : fromRow(row);
  }

  /** A cluster's records still open. */
  openRecords(cluster: string): UsageRecord[] {
    if (!this.#ready) return [];
    return this.#db
      .prepare<[string], UsageRow>(
        `SELECT ${COLUMNS} FROM usage WHERE cluster = ? AND end_ms IS NULL ORDER BY start_ms, uid`,
      )
      .all(cluster)
      .map(fromRow);
  }

  /**
   * The records whose billing overlaps [fromMs, toMs): started before `toMs` and still open or
   * closed at or after `fromMs`. Oldest first.
   */
  between(fromMs: number, toMs: number, filter: LedgerFilter = {}): UsageRecord[] {
    if (!this.#ready) return [];
    const byCluster = filter.cluster === undefined ? '' : ' AND cluster = @cluster';
    return this.#db
      .prepare<[{ from: number; to: number; cluster?: string }], UsageRow>(
        `SELECT ${COLUMNS} FROM usage WHERE start_ms < @to AND (end_ms IS NULL OR end_ms >= @from)` +
          `${byCluster} ORDER BY start_ms, cluster, uid`,
      )
      .all({
        from: fromMs,
        to: toMs,
        ...(filter.cluster === undefined ? {} : { cluster: filter.cluster }),
      })
      .map(fromRow);
  }

  close(): void {
    this.#db.close();
  }
}
