export * from './clock.ts';
export * from './ids.ts';
export * from './errors.ts';
export * from './http-server.ts';
