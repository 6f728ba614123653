export * from './clock.ts';
export * from './ids.ts';
export * from './errors.ts';
