import { isJsonObject, type JsonObject } from '../../api/index.ts';
import { validateEnv, validateEnvFrom } from './core-env.ts';
import { validatePathNoBacksteps, validateLocalDescendingPath } from './core-paths.ts';
import { validateLifecycle, validateProbe, type ProbeKind } from './core-probes.ts';
import { validateResourceRequirements } from './core-resources.ts';
import { validateContainerSecurityContext } from './core-security.ts';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  notFound,
  notSupported,
  required,
} from './field.ts';
import { goJson } from './go-format.ts';
import { isDns1123Label, isValidPortName, isValidPortNum } from './names.ts';
import { objectsAt } from './defaults-helpers.ts';
import { strOf, type Item, type Located, type Walker } from './walker.ts';

/** Containers of a PodSpec: regular, init and ephemeral (pkg/apis/core/validation). */

/** What container checks need to know about the pod around them. */
export interface PodCtx {
  /** Volumes that passed validation, by name. */
  readonly volumes: ReadonlyMap<string, JsonObject>;
  readonly podClaimNames: ReadonlySet<string>;
  readonly restartPolicy: string;
  readonly hostUsers: boolean;
  readonly gracePeriod: number | undefined;
  readonly resourceIsPod: boolean;
}

const PROTOCOLS: readonly string[] = ['SCTP', 'TCP', 'UDP'];

function validatePorts(w: Walker, c: JsonObject, base: string): void {
  const names = new Set<string>();
  for (const { o, path } of w.items(c, base, 'ports')) {
    const name = w.text(o, path, 'name');
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) w.add(...invalidEach(child(path, 'name'), name, msgs));
      else if (names.has(name)) w.add(duplicate(child(path, 'name'), name));
      else names.add(name);
    }
    const containerPort = w.num(o, path, 'containerPort');
    if (containerPort === 0) w.add(required(child(path, 'containerPort')));
    else
      w.add(
        ...invalidEach(child(path, 'containerPort'), containerPort, isValidPortNum(containerPort)),
      );
    const hostPort = w.num(o, path, 'hostPort');
    if (hostPort !== 0)
      w.add(...invalidEach(child(path, 'hostPort'), hostPort, isValidPortNum(hostPort)));
    const protocol = w.text(o, path, 'protocol');
    if (protocol === '') w.add(required(child(path, 'protocol')));
    else if (!PROTOCOLS.includes(protocol))
      w.add(notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  }
}

function validateMountPropagation(
  w: Walker,
  at: { mnt: JsonObject; path: string; listPath: string },
  privileged: boolean,
): void {
  const mp = w.str(at.mnt, at.path, 'mountPropagation');
  if (mp === undefined) return;
  const field = child(at.listPath, 'mountPropagation');
  const supported = ['Bidirectional', 'HostToContainer', 'None'];
  if (!supported.includes(mp)) w.add(notSupported(field, mp, supported));
  if (mp === 'Bidirectional' && !privileged) {
    w.add(
      forbidden(
        field,
        'Bidirectional mount propagation is available only to privileged containers',
      ),
    );
  }
}

function validateRecursiveReadOnly(
  w: Walker,
  at: { mnt: JsonObject; path: string; listPath: string },
): void {
  const rro = w.str(at.mnt, at.path, 'recursiveReadOnly');
  if (rro === undefined || rro === 'Disabled') return;
  const field = child(at.listPath, 'recursiveReadOnly');
  if (rro !== 'Enabled' && rro !== 'IfPossible') {
    {
      w.add(notSupported(field, rro, ['Disabled', 'Enabled', 'IfPossible']));
      return;
    }
  }
  if (at.mnt['readOnly'] !== true)
    w.add(forbidden(field, 'may only be specified when readOnly is true'));
  const mp = at.mnt['mountPropagation'];
  if (typeof mp === 'string' && mp !== 'None') {
    w.add(forbidden(field, 'may only be specified when mountPropagation is None or not specified'));
  }
}

function validateSubPaths(
  w: Walker,
  at: { mnt: JsonObject; path: string; listPath: string },
  isImage: boolean,
): void {
  const subPath = w.text(at.mnt, at.path, 'subPath');
  const subPathExpr = w.text(at.mnt, at.path, 'subPathExpr');
  if (isImage && subPath !== '')
    w.add(invalid(child(at.path, 'subPath'), subPath, 'not allowed in image volume sources'));
  if (isImage && subPathExpr !== '') {
    w.add(
      invalid(child(at.path, 'subPathExpr'), subPathExpr, 'not allowed in image volume sources'),
    );
  }
  if (subPath !== '') w.add(...validateLocalDescendingPath(subPath, child(at.listPath, 'subPath')));
  if (subPathExpr !== '') {
    if (subPath !== '') {
      w.add(
        invalid(
          child(at.path, 'subPathExpr'),
          subPathExpr,
          'subPathExpr and subPath are mutually exclusive',
        ),
      );
    }
    w.add(...validateLocalDescendingPath(subPathExpr, child(at.listPath, 'subPathExpr')));
  }
}

interface MountMaps {
  readonly mounts: ReadonlyMap<string, string>;
  readonly devices: ReadonlyMap<string, string>;
}

function pathsOf(w: Walker, at: Located, k: string): Map<string, string> {
  const { o: c, path: base } = at;
  const out = new Map<string, string>();
  const pathKey = k === 'volumeMounts' ? 'mountPath' : 'devicePath';
  for (const { o, path } of w.items(c, base, k)) {
    out.set(w.text(o, path, 'name'), w.text(o, path, pathKey));
  }
  return out;
}

function validateVolumeMounts(
  w: Walker,
  at: { c: JsonObject; base: string; maps: MountMaps },
  ctx: PodCtx,
): void {
  const listPath = child(at.base, 'volumeMounts');
  const mountPoints = new Set<string>();
  const sc = at.c['securityContext'];
  const privileged =
    typeof sc === 'object' && sc !== null && !Array.isArray(sc) && sc['privileged'] === true;
  for (const { o, path } of w.items(at.c, at.base, 'volumeMounts')) {
    const name = w.text(o, path, 'name');
    const mountPath = w.text(o, path, 'mountPath');
    if (name === '') w.add(required(child(path, 'name')));
    if (!ctx.volumes.has(name)) w.add(notFound(child(path, 'name'), name));
    if (mountPath === '') w.add(required(child(path, 'mountPath')));
    if (mountPoints.has(mountPath))
      w.add(invalid(child(path, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (at.maps.devices.has(name))
      w.add(invalid(child(path, 'name'), name, 'must not already exist in volumeDevices'));
    if ([...at.maps.devices.values()].includes(mountPath)) {
      w.add(
        invalid(
          child(path, 'mountPath'),
          mountPath,
          'must not already exist as a path in volumeDevices',
        ),
      );
    }
    const isImage = ctx.volumes.get(name)?.['image'] !== undefined;
    const mnt = { mnt: o, path, listPath };
    validateSubPaths(w, mnt, isImage);
    validateMountPropagation(w, mnt, privileged);
    validateRecursiveReadOnly(w, mnt);
  }
}

function isPvcVolume(v: JsonObject | undefined): boolean {
  return v?.['persistentVolumeClaim'] !== undefined || v?.['ephemeral'] !== undefined;
}

function checkDevicePath(
  w: Walker,
  at: { path: string; devicePath: string; listPath: string },
  seen: { devicePaths: Set<string> },
): void {
  const { path, devicePath, listPath } = at;
  if (devicePath === '') w.add(required(child(path, 'devicePath')));
  if (seen.devicePaths.has(devicePath))
    w.add(invalid(child(path, 'devicePath'), devicePath, 'must be unique'));
  if (
    devicePath !== '' &&
    validatePathNoBacksteps(devicePath, child(listPath, 'devicePath')).length > 0
  ) {
    w.add(invalid(child(path, 'devicePath'), devicePath, "can not contain backsteps ('..')"));
  } else seen.devicePaths.add(devicePath);
}

function validateVolumeDevices(
  w: Walker,
  at: { c: JsonObject; base: string; maps: MountMaps },
  ctx: PodCtx,
): void {
  const listPath = child(at.base, 'volumeDevices');
  const devicePaths = new Set<string>();
  const deviceNames = new Set<string>();
  for (const { o, path } of w.items(at.c, at.base, 'volumeDevices')) {
    const name = w.text(o, path, 'name');
    const devicePath = w.text(o, path, 'devicePath');
    const vol = ctx.volumes.get(name);
    if (name === '') w.add(required(child(path, 'name')));
    if (deviceNames.has(name)) w.add(invalid(child(path, 'name'), name, 'must be unique'));
    if (vol !== undefined && !isPvcVolume(vol)) {
      w.add(
        invalid(
          child(path, 'name'),
          name,
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    }
    if (vol === undefined) w.add(notFound(child(path, 'name'), name));
    checkDevicePath(w, { path, devicePath, listPath }, { devicePaths });
    if (at.maps.mounts.has(name))
      w.add(invalid(child(path, 'name'), name, 'must not already exist in volumeMounts'));
    if ([...at.maps.mounts.values()].includes(devicePath)) {
      w.add(
        invalid(
          child(path, 'devicePath'),
          devicePath,
          'must not already exist as a path in volumeMounts',
        ),
      );
    }
    if (name !== '') deviceNames.add(name);
  }
}

const PULL_POLICIES: readonly string[] = ['Always', 'IfNotPresent', 'Never'];

function validatePullPolicy(w: Walker, c: JsonObject, base: string): void {
  const policy = w.text(c, base, 'imagePullPolicy');
  if (policy === '') w.add(required(child(base, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(policy))
    w.add(notSupported(child(base, 'imagePullPolicy'), policy, PULL_POLICIES));
}

function validateResizePolicy(w: Walker, at: Located, podRestartPolicy: string): void {
  const { o: c, path: base } = at;
  const path = child(base, 'resizePolicy');
  const seen = new Set<string>();
  for (const { o, path: ip } of w.items(c, base, 'resizePolicy')) {
    const name = w.text(o, ip, 'resourceName');
    const policy = w.text(o, ip, 'restartPolicy');
    if (seen.has(name)) w.add(duplicate(ip, name));
    seen.add(name);
    if (name === '') w.add(required(path));
    else if (name !== 'cpu' && name !== 'memory')
      w.add(notSupported(path, name, ['cpu', 'memory']));
    if (policy === '') w.add(required(path));
    else if (policy !== 'NotRequired' && policy !== 'RestartContainer') {
      w.add(notSupported(path, policy, ['NotRequired', 'RestartContainer']));
    }
    if (podRestartPolicy === 'Never' && policy !== 'NotRequired') {
      w.add(invalid(path, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  }
}

const TERMINATION_MESSAGE_POLICIES: readonly string[] = ['File', 'FallbackToLogsOnError'];

/** validateContainerCommon. */
function validateContainerCommon(w: Walker, item: Item, ctx: PodCtx): void {
  const { o: c, path } = item;
  const name = w.text(c, path, 'name');
  if (name === '') w.add(required(child(path, 'name')));
  else w.add(...invalidEach(child(path, 'name'), name, isDns1123Label(name)));
  if (w.text(c, path, 'image') === '') w.add(required(child(path, 'image')));
  const tmp = w.text(c, path, 'terminationMessagePolicy');
  if (tmp === '') w.add(required(child(path, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) {
    w.add(notSupported(child(path, 'terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  }
  const maps = {
    mounts: pathsOf(w, { o: c, path: path }, 'volumeMounts'),
    devices: pathsOf(w, { o: c, path: path }, 'volumeDevices'),
  };
  validatePorts(w, c, path);
  validateEnv(w, c, path);
  validateEnvFrom(w, c, path);
  validateVolumeMounts(w, { c, base: path, maps }, ctx);
  validateVolumeDevices(w, { c, base: path, maps }, ctx);
  validatePullPolicy(w, c, path);
  validateResourceRequirements(w, { parent: c, base: path }, { podClaimNames: ctx.podClaimNames });
  validateResizePolicy(w, { o: c, path: path }, ctx.restartPolicy);
  validateContainerSecurityContext(w, { o: c, path: path }, ctx.hostUsers);
}

const PROBES: readonly ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

function validateProbesAndLifecycle(w: Walker, item: Item, gracePeriod: number | undefined): void {
  const lifecycle = w.obj(item.o, item.path, 'lifecycle');
  if (lifecycle !== undefined)
    validateLifecycle(w, { o: lifecycle, path: child(item.path, 'lifecycle') }, gracePeriod);
  for (const kind of PROBES)
    validateProbe(w, { container: item.o, base: item.path, kind }, gracePeriod);
}

/** checkHostPortConflicts over a set of containers. */
function checkHostPorts(w: Walker, items: readonly Item[], seen: Set<string>): void {
  for (const { o, path } of items) {
    const ports = Array.isArray(o['ports']) ? o['ports'] : [];
    ports.forEach((p: unknown, pi) => {
      if (!isJsonObject(p)) return;
      const port = p['hostPort'];
      if (typeof port !== 'number' || port === 0) return;
      const k = `${strOf(p['protocol'])}/${strOf(p['hostIP'])}/${port}`;
      if (seen.has(k)) w.add(duplicate(child(index(child(path, 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  }
}

/** validateContainers: the regular containers of a PodSpec. */
export function validateContainers(w: Walker, at: Located, ctx: PodCtx): Item[] {
  const { o: spec, path: specPath } = at;
  const listPath = child(specPath, 'containers');
  const items = w.items(spec, specPath, 'containers');
  if (items.length === 0) {
    w.add(required(listPath));
    return items;
  }
  const names = new Set<string>();
  for (const item of items) {
    validateContainerCommon(w, item, ctx);
    const name = strOf(item.o['name']);
    if (names.has(name)) w.add(duplicate(child(item.path, 'name'), name));
    else names.add(name);
    validateProbesAndLifecycle(w, item, ctx.gracePeriod);
    if (item.o['restartPolicy'] !== undefined && item.o['restartPolicy'] !== null) {
      w.add(forbidden(child(item.path, 'restartPolicy'), 'may not be set for non-init containers'));
    }
  }
  checkHostPorts(w, items, new Set());
  return items;
}

const INIT_ONLY_FORBIDDEN: readonly string[] = [
  'lifecycle',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
];

/** validateInitContainers. */
export function validateInitContainers(w: Walker, at: Located, ctx: PodCtx): void {
  const { o: spec, path: specPath } = at;
  const names = new Set<string>();
  for (const c of objectsAt(spec, 'containers')) names.add(strOf(c['name']));
  for (const item of w.items(spec, specPath, 'initContainers')) {
    validateContainerCommon(w, item, ctx);
    const restartPolicy = w.str(item.o, item.path, 'restartPolicy');
    if (restartPolicy !== undefined && restartPolicy !== 'Always') {
      w.add(notSupported(child(item.path, 'restartPolicy'), restartPolicy, ['Always']));
    }
    const name = strOf(item.o['name']);
    if (names.has(name)) w.add(duplicate(child(item.path, 'name'), name));
    else if (name !== '') names.add(name);
    checkHostPorts(w, [item], new Set());
    validateInitOnlyFields(w, item, { restartPolicy, gracePeriod: ctx.gracePeriod });
  }
}

function validateInitOnlyFields(
  w: Walker,
  item: Item,
  ctx: { restartPolicy: string | undefined; gracePeriod: PodCtx['gracePeriod'] },
): void {
  if (ctx.restartPolicy === 'Always') validateProbesAndLifecycle(w, item, ctx.gracePeriod);
  else {
    for (const k of INIT_ONLY_FORBIDDEN) {
      if (item.o[k] !== undefined && item.o[k] !== null) {
        w.add(
          forbidden(
            child(item.path, k),
            'may not be set for init containers without restartPolicy=Always',
          ),
        );
      }
    }
  }
  const resize = item.o['resizePolicy'];
  if (Array.isArray(resize) && resize.length > 0) {
    w.add(
      invalid(
        child(item.path, 'resizePolicy'),
        { goSyntax: goJson(resize) },
        'must not be set for init containers',
      ),
    );
  }
}

/** The ephemeral containers of a pod; only their name uniqueness and common rules. */
export function validateEphemeralContainers(w: Walker, at: Located, ctx: PodCtx): void {
  const { o: spec, path: specPath } = at;
  const names = new Set<string>();
  for (const k of ['containers', 'initContainers']) {
    for (const c of Array.isArray(spec[k]) ? spec[k] : []) {
      if (isJsonObject(c)) names.add(strOf(c['name']));
    }
  }
  for (const item of w.items(spec, specPath, 'ephemeralContainers')) {
    validateContainerCommon(w, item, ctx);
    const name = strOf(item.o['name']);
    if (names.has(name)) w.add(duplicate(child(item.path, 'name'), name));
    else names.add(name);
  }
}

/** validateContainerOnlyForPod: the image may not carry surrounding whitespace. */
export function validateImageWhitespace(w: Walker, items: readonly Item[]): void {
  for (const { o, path } of items) {
    const image = typeof o['image'] === 'string' ? o['image'] : '';
    if (image.trim() !== image) {
      w.add(invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
    }
  }
}
