export * from './types.ts';
export * from './ledger.ts';
export * from './usage-of.ts';
export * from './controller.ts';
export * from './report.ts';
export * from './cost-source.ts';
