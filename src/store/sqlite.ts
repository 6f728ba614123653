import Database from 'better-sqlite3';
import type { LoadedState, LogRecord, Persistence } from './persistence.ts';

export interface SqliteOptions {
  readonly path: string;
  /** fsync every commit (survives power loss). Off: WAL commits survive a process crash. */
  readonly fsync?: boolean;
}

interface KvRow {
  key: string;
  json: string;
  create_rev: number;
  mod_rev: number;
}

interface LogRow {
  rev: number;
  key: string;
  json: string;
  deleted: number;
  create_rev: number;
}

/** The on-disk layout's version (PRAGMA user_version); a file of another version is refused. */
const SCHEMA_VERSION = 1;

/**
 * A revision log and a current-state index in one SQLite file (WAL mode). Each object's JSON is
 * written once, to the log; `kv` points at the log row holding each key's current value, and
 * compaction keeps those rows.
 */
export class SqlitePersistence implements Persistence {
  readonly #db: Database.Database;
  readonly #write: (r: LogRecord) => void;

  constructor(opts: SqliteOptions) {
    this.#db = new Database(opts.path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${opts.fsync === true ? 'FULL' : 'NORMAL'}`);
    const version = Number(this.#db.pragma('user_version', { simple: true }));
    const empty =
      this.#db
        .prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
        .get()?.n === 0;
    if (!empty && version !== SCHEMA_VERSION) {
      this.#db.close();
      throw new Error(
        `${opts.path} has storage schema ${version}, this Kiln reads ${SCHEMA_VERSION}: move the state directory away to start afresh`,
      );
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS log (rev INTEGER PRIMARY KEY, key TEXT NOT NULL, json TEXT NOT NULL,
        deleted INTEGER NOT NULL, create_rev INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,
        mod_rev INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS kv_mod_rev ON kv (mod_rev);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
    const put = this.#db.prepare<[string, number, number]>(
      'INSERT OR REPLACE INTO kv (key, create_rev, mod_rev) VALUES (?, ?, ?)',
    );
    const del = this.#db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
    const log = this.#db.prepare<[number, string, string, number, number]>(
      'INSERT INTO log (rev, key, json, deleted, create_rev) VALUES (?, ?, ?, ?, ?)',
    );
    this.#write = this.#db.transaction((r: LogRecord) => {
      log.run(r.revision, r.key, r.json, r.deleted ? 1 : 0, r.createRevision);
      if (r.deleted) del.run(r.key);
      else put.run(r.key, r.createRevision, r.revision);
    });
  }

  load(): LoadedState {
    const compactedRevision =
      this.#db
        .prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'compacted'")
        .get()?.value ?? 0;
    const entries = this.#db
      .prepare<[], KvRow>(
        'SELECT kv.key AS key, log.json AS json, kv.create_rev AS create_rev, kv.mod_rev AS mod_rev FROM kv JOIN log ON log.rev = kv.mod_rev',
      )
      .all()
      .map((r) => ({
        key: r.key,
        json: r.json,
        createRevision: r.create_rev,
        modRevision: r.mod_rev,
      }));
    const log = this.#db
      .prepare<[number], LogRow>(
        'SELECT rev, key, json, deleted, create_rev FROM log WHERE rev > ? ORDER BY rev',
      )
      .all(compactedRevision)
      .map((r) => ({
        revision: r.rev,
        key: r.key,
        json: r.json,
        deleted: r.deleted === 1,
        createRevision: r.create_rev,
      }));
    const last =
      this.#db.prepare<[], { rev: number | null }>('SELECT max(rev) AS rev FROM log').get()?.rev ??
      0;
    return { entries, revision: Math.max(last, compactedRevision), log, compactedRevision };
  }

  append(record: LogRecord): void {
    this.#write(record);
  }

  compact(revision: number): void {
    this.#db.transaction(() => {
      // Rows that still hold a key's current value stay: the state is read from them.
      this.#db
        .prepare('DELETE FROM log WHERE rev <= ? AND rev NOT IN (SELECT mod_rev FROM kv)')
        .run(revision);
      this.#db
        .prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('compacted', ?)")
        .run(revision);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
