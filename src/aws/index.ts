export * from './types.ts';
export * from './endpoint/index.ts';
export * from './iam/index.ts';
export * from './sts/index.ts';
