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

/** A revision log and current-state table in one SQLite file (WAL mode). */
export class SqlitePersistence implements Persistence {
  readonly #db: Database.Database;
  readonly #put: Database.Statement<[string, string, number, number]>;
  readonly #del: Database.Statement<[string]>;
  readonly #log: Database.Statement<[number, string, string, number, number]>;
  readonly #setMeta: Database.Statement<[string, number]>;
  readonly #write: (r: LogRecord) => void;

  constructor(opts: SqliteOptions) {
    this.#db = new Database(opts.path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${opts.fsync === true ? 'FULL' : 'NORMAL'}`);
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, json TEXT NOT NULL,
        create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS log (rev INTEGER PRIMARY KEY, key TEXT NOT NULL, json TEXT NOT NULL,
        deleted INTEGER NOT NULL, create_rev INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.#put = this.#db.prepare(
      'INSERT OR REPLACE INTO kv (key, json, create_rev, mod_rev) VALUES (?, ?, ?, ?)',
    );
    this.#del = this.#db.prepare('DELETE FROM kv WHERE key = ?');
    this.#log = this.#db.prepare(
      'INSERT INTO log (rev, key, json, deleted, create_rev) VALUES (?, ?, ?, ?, ?)',
    );
    this.#setMeta = this.#db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
    this.#write = this.#db.transaction((r: LogRecord) => {
      this.#log.run(r.revision, r.key, r.json, r.deleted ? 1 : 0, r.createRevision);
      if (r.deleted) this.#del.run(r.key);
      else this.#put.run(r.key, r.json, r.createRevision, r.revision);
      this.#setMeta.run('revision', r.revision);
    });
  }

  load(): LoadedState {
    const meta = new Map(
      this.#db
        .prepare<[], { name: string; value: number }>('SELECT name, value FROM meta')
        .all()
        .map((r) => [r.name, r.value]),
    );
    const entries = this.#db
      .prepare<[], KvRow>('SELECT key, json, create_rev, mod_rev FROM kv')
      .all()
      .map((r) => ({
        key: r.key,
        json: r.json,
        createRevision: r.create_rev,
        modRevision: r.mod_rev,
      }));
    const compactedRevision = meta.get('compacted') ?? 0;
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
    return { entries, revision: meta.get('revision') ?? 0, log, compactedRevision };
  }

  append(record: LogRecord): void {
    this.#write(record);
  }

  compact(revision: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM log WHERE rev <= ?').run(revision);
      this.#setMeta.run('compacted', revision);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
