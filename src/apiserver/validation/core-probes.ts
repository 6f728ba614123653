import type { JsonObject } from '../../api/index.ts';
import { child, forbidden, invalid, invalidEach, notSupported, required } from './field.ts';
import { isHttpHeaderName, isValidPortName, isValidPortNum } from './names.ts';
import { validateNonnegative } from './object-meta.ts';
import type { Walker, Located } from './walker.ts';

/** Probes and lifecycle handlers (pkg/apis/core/validation). */

/** ValidatePortNumOrName over an IntOrString value. */
export function validatePortNumOrName(w: Walker, at: Located, k: string): void {
  const { o: parent, path: base } = at;
  const path = child(base, k);
  const port = w.intOrStr(parent, base, k) ?? 0;
  if (typeof port === 'number') w.add(...invalidEach(path, port, isValidPortNum(port)));
  else w.add(...invalidEach(path, port, isValidPortName(port)));
}

function validateExec(w: Walker, exec: JsonObject, path: string): void {
  if ((w.strArr(exec, path, 'command') ?? []).length === 0) w.add(required(child(path, 'command')));
}

function validateHttpGet(w: Walker, http: JsonObject, path: string): void {
  if (w.text(http, path, 'path') === '') w.add(required(child(path, 'path')));
  validatePortNumOrName(w, { o: http, path: path }, 'port');
  const scheme = w.text(http, path, 'scheme');
  if (scheme !== 'HTTP' && scheme !== 'HTTPS')
    w.add(notSupported(child(path, 'scheme'), scheme, ['HTTP', 'HTTPS']));
  for (const { o, path: hp } of w.items(http, path, 'httpHeaders')) {
    const name = w.text(o, hp, 'name');
    w.add(...invalidEach(child(path, 'httpHeaders'), name, isHttpHeaderName(name)));
  }
}

function validateGrpc(w: Walker, grpc: JsonObject, path: string): void {
  const port = w.num(grpc, path, 'port');
  w.add(...invalidEach(child(path, 'port'), port, isValidPortNum(port)));
}

function validateSleep(w: Walker, at: Located, gracePeriod: number | undefined): void {
  const { o: sleep, path } = at;
  const seconds = w.num(sleep, path, 'seconds');
  if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
    w.add(
      invalid(
        path,
        seconds,
        `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
      ),
    );
  }
}

/** The handler kinds a probe (no sleep) or a lifecycle hook (no grpc) may use, in upstream order. */
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

function validateHandlerKind(
  w: Walker,
  at: { kind: string; h: JsonObject; path: string },
  gracePeriod: number | undefined,
): void {
  switch (at.kind) {
    case 'exec':
      validateExec(w, at.h, at.path);
      break;
    case 'httpGet':
      validateHttpGet(w, at.h, at.path);
      break;
    case 'tcpSocket':
      validatePortNumOrName(w, { o: at.h, path: at.path }, 'port');
      break;
    case 'grpc':
      validateGrpc(w, at.h, at.path);
      break;
    default:
      validateSleep(w, { o: at.h, path: at.path }, gracePeriod);
  }
}

/** validateHandler: exactly one handler kind. */
function validateHandler(
  w: Walker,
  at: { readonly handler: JsonObject; readonly path: string; readonly kinds: readonly string[] },
  gracePeriod: number | undefined,
): void {
  let count = 0;
  for (const kind of at.kinds) {
    const h = w.obj(at.handler, at.path, kind);
    if (h === undefined) continue;
    if (count > 0) {
      w.add(forbidden(child(at.path, kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    validateHandlerKind(w, { kind, h, path: child(at.path, kind) }, gracePeriod);
  }
  if (count === 0) w.add(required(at.path, 'must specify a handler type'));
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** validateLivenessProbe / validateReadinessProbe / validateStartupProbe. */
export function validateProbe(
  w: Walker,
  at: { readonly container: JsonObject; readonly base: string; readonly kind: ProbeKind },
  gracePeriod: number | undefined,
): void {
  const path = child(at.base, at.kind);
  const probe = w.obj(at.container, at.base, at.kind);
  if (probe === undefined) return;
  validateHandler(w, { handler: probe, path, kinds: PROBE_HANDLERS }, gracePeriod);
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    w.add(...validateNonnegative(w.num(probe, path, k), child(path, k)));
  }
  const grace = w.int(probe, path, 'terminationGracePeriodSeconds');
  if (grace !== undefined && grace <= 0) {
    w.add(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
  }
  const success = w.num(probe, path, 'successThreshold');
  if (at.kind !== 'readinessProbe' && success !== 1) {
    w.add(invalid(child(path, 'successThreshold'), success, 'must be 1'));
  }
  if (at.kind === 'readinessProbe' && grace !== undefined) {
    w.add(
      invalid(
        child(path, 'terminationGracePeriodSeconds'),
        grace,
        'must not be set for readinessProbes',
      ),
    );
  }
}

/** validateLifecycle. */
export function validateLifecycle(w: Walker, at: Located, gracePeriod: number | undefined): void {
  const { o: lifecycle, path } = at;
  for (const hook of ['postStart', 'preStop']) {
    const h = w.obj(lifecycle, path, hook);
    if (h !== undefined)
      validateHandler(
        w,
        { handler: h, path: child(path, hook), kinds: LIFECYCLE_HANDLERS },
        gracePeriod,
      );
  }
}
