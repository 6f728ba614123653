export { Auditor, type AuditEntry, type AuditorOptions } from './auditor.ts';
export {
  auditLevel,
  DEFAULT_AUDIT_POLICY,
  type AuditLevel,
  type AuditPolicy,
  type GroupResources,
  type PolicyRule,
} from './policy.ts';
export { AuditFileWriter, type AuditFileOptions, type AuditSink } from './writer.ts';
