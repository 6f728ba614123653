export {
  DefaultScheduler,
  DEFAULT_SCHEDULER_NAME,
  type DefaultSchedulerOptions,
  type ScheduleOutcome,
} from './scheduler.ts';
export { quantityMilli, quantityValue } from './quantity.ts';
