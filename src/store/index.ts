export * from './types.ts';
export * from './errors.ts';
export * from './persistence.ts';
export { CachedStore, type CachedStoreOptions } from './cached-store.ts';
export { SqlitePersistence, type SqliteOptions } from './sqlite.ts';
