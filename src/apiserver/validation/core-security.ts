import type { JsonObject } from '../../api/index.ts';
import {
  child,
  duplicate,
  index,
  invalid,
  invalidEach,
  notSupported,
  required,
  tooLong,
} from './field.ts';
import { goJson } from './go-format.ts';
import { validateLocalDescendingPath } from './core-paths.ts';
import { isValidUnixId } from './names.ts';
import type { Walker, Located } from './walker.ts';

/** Pod and container security contexts (pkg/apis/core/validation). */

function validateSeccompProfile(w: Walker, parent: JsonObject, base: string): void {
  const path = child(base, 'seccompProfile');
  const sp = w.obj(parent, base, 'seccompProfile');
  if (sp === undefined) return;
  const type = w.text(sp, path, 'type');
  const local = w.str(sp, path, 'localhostProfile');
  const valid = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (type === '')
    w.add(required(child(path, 'type'), 'type is required when seccompProfile is set'));
  else if (!valid.includes(type)) w.add(notSupported(child(path, 'type'), type, valid));
  if (type === 'Localhost') {
    if (local === undefined) {
      w.add(
        required(child(path, 'localhostProfile'), 'must be set when seccomp type is Localhost'),
      );
    } else w.add(...validateLocalDescendingPath(local, child(path, 'localhostProfile')));
  } else if (local !== undefined) {
    w.add(
      invalid(
        child(path, 'localhostProfile'),
        { goSyntax: goJson(sp) },
        'can only be set when seccomp type is Localhost',
      ),
    );
  }
}

function validateAppArmorLocalhost(w: Walker, local: string | undefined, path: string): void {
  const field = child(path, 'localhostProfile');
  if (local === undefined) {
    w.add(required(field, 'must be set when AppArmor type is Localhost'));
    return;
  }
  if (local.trim() !== local) w.add(invalid(field, local, 'must not be padded with whitespace'));
  else if (local === '') w.add(required(field, 'must be set when AppArmor type is Localhost'));
  if (local.length > 4095) w.add(tooLong(field, 4095));
}

function validateAppArmorProfile(w: Walker, parent: JsonObject, base: string): void {
  const path = child(base, 'appArmorProfile');
  const p = w.obj(parent, base, 'appArmorProfile');
  if (p === undefined) return;
  const type = w.text(p, path, 'type');
  const local = w.str(p, path, 'localhostProfile');
  switch (type) {
    case 'Localhost': {
      validateAppArmorLocalhost(w, local, path);
      return;
    }
    case 'RuntimeDefault':
    case 'Unconfined':
      if (local !== undefined) {
        w.add(
          invalid(
            child(path, 'localhostProfile'),
            local,
            'can only be set when AppArmor type is Localhost',
          ),
        );
      }
      return;
    case '': {
      w.add(required(child(path, 'type'), 'type is required when appArmorProfile is set'));
      return;
    }
    default: {
      w.add(notSupported(child(path, 'type'), type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
      return;
    }
  }
}

function validateIds(w: Walker, at: Located, keys: readonly string[]): void {
  const { o: sc, path: base } = at;
  for (const k of keys) {
    const id = w.int(sc, base, k);
    if (id !== undefined) w.add(...invalidEach(child(base, k), id, isValidUnixId(id)));
  }
}

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_FMT = `(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}`;
const SYSCTL_RE = new RegExp(`^${SYSCTL_FMT}$`);
const NET_SYSCTL = /^net[./]/;
const IPC_SYSCTL = /^(kernel[./](shm|msg|sem)|fs[./]mqueue[./])/;

function validateSysctls(w: Walker, sc: JsonObject, base: string): void {
  const names = new Set<string>();
  for (const { o, path } of w.items(sc, base, 'sysctls')) {
    const name = w.text(o, path, 'name');
    const namePath = child(path, 'name');
    if (name === '') w.add(required(namePath));
    else if (name.length > 253 || !SYSCTL_RE.test(name)) {
      w.add(
        invalid(namePath, name, `must have at most 253 characters and match regex ^${SYSCTL_FMT}$`),
      );
    } else if (names.has(name)) w.add(duplicate(namePath, name));
    if (sc['hostNetwork'] === true && NET_SYSCTL.test(name)) {
      w.add(invalid(namePath, name, "may not be specified when 'hostNetwork' is true"));
    } else if (sc['hostIPC'] === true && IPC_SYSCTL.test(name)) {
      w.add(invalid(namePath, name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(name);
  }
}

function validateEnum(
  w: Walker,
  at: { sc: JsonObject; base: string; k: string },
  valid: readonly string[],
): void {
  const v = w.str(at.sc, at.base, at.k);
  if (v !== undefined && !valid.includes(v)) w.add(notSupported(child(at.base, at.k), v, valid));
}

/**
 * validatePodSpecSecurityContext. hostNetwork, hostPID and hostIPC sit in the security
 * context of the internal type but on the PodSpec in v1, so they are read from the spec.
 */
export function validatePodSecurityContext(w: Walker, spec: JsonObject, specPath: string): void {
  const path = child(specPath, 'securityContext');
  const sc = w.obj(spec, specPath, 'securityContext');
  if (sc === undefined) return;
  validateIds(w, { o: sc, path: path }, ['fsGroup', 'runAsUser', 'runAsGroup']);
  const groups = w.arr(sc, path, 'supplementalGroups') ?? [];
  groups.forEach((g, i) => {
    const p = index(child(path, 'supplementalGroups'), i);
    const gid = w.asInt(g, p);
    if (gid !== undefined) w.add(...invalidEach(p, gid, isValidUnixId(gid)));
  });
  const share = w.bool(spec, specPath, 'shareProcessNamespace');
  if (share === true && spec['hostPID'] === true) {
    w.add(
      invalid(
        child(path, 'shareProcessNamespace'),
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  validateSysctls(
    w,
    { ...sc, hostNetwork: spec['hostNetwork'] ?? false, hostIPC: spec['hostIPC'] ?? false },
    path,
  );
  validateEnum(w, { sc, base: path, k: 'fsGroupChangePolicy' }, ['Always', 'OnRootMismatch']);
  validateSeccompProfile(w, sc, path);
  validateAppArmorProfile(w, sc, path);
  validateEnum(w, { sc, base: path, k: 'supplementalGroupsPolicy' }, ['Merge', 'Strict']);
}

/** ValidateSecurityContext for one container. */
export function validateContainerSecurityContext(w: Walker, at: Located, hostUsers: boolean): void {
  const { o: container, path: base } = at;
  const path = child(base, 'securityContext');
  const sc = w.obj(container, base, 'securityContext');
  if (sc === undefined) return;
  const privileged = w.bool(sc, path, 'privileged');
  validateIds(w, { o: sc, path: path }, ['runAsUser', 'runAsGroup']);
  const procMount = w.str(sc, path, 'procMount');
  if (procMount !== undefined) {
    if (procMount !== 'Default' && procMount !== 'Unmasked') {
      w.add(notSupported(child(path, 'procMount'), procMount, ['Default', 'Unmasked']));
    }
    if (hostUsers && procMount === 'Unmasked') {
      w.add(
        invalid(child(path, 'procMount'), procMount, '`hostUsers` must be false to use `Unmasked`'),
      );
    }
  }
  validateSeccompProfile(w, sc, path);
  if (w.bool(sc, path, 'allowPrivilegeEscalation') === false) {
    if (privileged === true) {
      w.add(
        invalid(
          path,
          { goSyntax: goJson(sc) },
          'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
        ),
      );
    }
    const caps = w.obj(sc, path, 'capabilities');
    const added = w.strArr(caps, child(path, 'capabilities'), 'add') ?? [];
    if (added.includes('CAP_SYS_ADMIN')) {
      w.add(
        invalid(
          path,
          { goSyntax: goJson(sc) },
          'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
        ),
      );
    }
  }
  validateAppArmorProfile(w, sc, path);
}
