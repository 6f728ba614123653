export * from './clock.ts';
export * from './ids.ts';
export * from './errors.ts';
export * from './http-server.ts';
export * from './string-map.ts';
export * from './json-clone.ts';
