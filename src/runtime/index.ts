export * from './types.ts';
export { RuntimeError, isRuntimeError, type RuntimeErrorKind } from './errors.ts';
export {
  ManualScheduler,
  TimerScheduler,
  sleepOn,
  type Cancel,
  type Scheduler,
} from './scheduler.ts';
