import { parseApiVersion, type KubeObject } from '../../api/index.ts';
import {
  AGE_COLUMN,
  column,
  docColumn,
  NAME_COLUMN,
  TEMPLATE_CONTAINERS_COLUMN,
  TEMPLATE_IMAGES_COLUMN,
} from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { num, rec } from './fields.ts';
import { containerCells, formatLabels, formatLabelSelector, selectorString } from './format.ts';
import type { TablePrinter } from './types.ts';

/** apps/v1 printers from printers.go, Kubernetes 1.32. */

const INTEGER = { type: 'integer' } as const;
const WIDE = { wide: true } as const;

function templateContainers(obj: KubeObject): [string, string] {
  return containerCells(rec(obj['spec'], 'template', 'spec')['containers']);
}

const deploymentPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'Number of the pod with ready state'),
    docColumn('Up-to-date', 'DeploymentStatus.updatedReplicas'),
    docColumn('Available', 'DeploymentStatus.availableReplicas'),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
    docColumn('Selector', 'DeploymentSpec.selector', WIDE),
  ],
  cells(d, { now }) {
    const spec = rec(d['spec']);
    const status = rec(d['status']);
    const [names, images] = templateContainers(d);
    return [
      nameOf(d),
      `${num(status['readyReplicas'])}/${num(spec['replicas'])}`,
      num(status['updatedReplicas']),
      num(status['availableReplicas']),
      ageOf(d, now),
      names,
      images,
      selectorString(spec['selector']) ?? '<invalid>',
    ];
  },
};

const replicaSetPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Desired', 'ReplicaSetSpec.replicas', INTEGER),
    docColumn('Current', 'ReplicaSetStatus.replicas', INTEGER),
    docColumn('Ready', 'ReplicaSetStatus.readyReplicas', INTEGER),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
    docColumn('Selector', 'ReplicaSetSpec.selector', WIDE),
  ],
  cells(rs, { now }) {
    const spec = rec(rs['spec']);
    const status = rec(rs['status']);
    const [names, images] = templateContainers(rs);
    return [
      nameOf(rs),
      num(spec['replicas']),
      num(status['replicas']),
      num(status['readyReplicas']),
      ageOf(rs, now),
      names,
      images,
      formatLabelSelector(spec['selector']),
    ];
  },
};

const daemonSetPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Desired', 'DaemonSetStatus.desiredNumberScheduled', INTEGER),
    docColumn('Current', 'DaemonSetStatus.currentNumberScheduled', INTEGER),
    docColumn('Ready', 'DaemonSetStatus.numberReady', INTEGER),
    docColumn('Up-to-date', 'DaemonSetStatus.updatedNumberScheduled', INTEGER),
    docColumn('Available', 'DaemonSetStatus.numberAvailable', INTEGER),
    docColumn('Node Selector', 'PodSpec.nodeSelector'),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
    docColumn('Selector', 'DaemonSetSpec.selector', WIDE),
  ],
  cells(ds, { now }) {
    const spec = rec(ds['spec']);
    const status = rec(ds['status']);
    const [names, images] = templateContainers(ds);
    return [
      nameOf(ds),
      num(status['desiredNumberScheduled']),
      num(status['currentNumberScheduled']),
      num(status['numberReady']),
      num(status['updatedNumberScheduled']),
      num(status['numberAvailable']),
      formatLabels(rec(spec, 'template', 'spec')['nodeSelector']),
      ageOf(ds, now),
      names,
      images,
      formatLabelSelector(spec['selector']),
    ];
  },
};

const statefulSetPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'Number of the pod with ready state'),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
  ],
  cells(sts, { now }) {
    const [names, images] = templateContainers(sts);
    return [
      nameOf(sts),
      `${num(rec(sts['status'])['readyReplicas'])}/${num(rec(sts['spec'])['replicas'])}`,
      ageOf(sts, now),
      names,
      images,
    ];
  },
};

/** `kind.group/name` of the controlling owner, lower-cased as printers.go `formatResourceName`. */
function controllerName(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((o) => o.controller === true);
  if (ref === undefined) return '<none>';
  const { group } = parseApiVersion(ref.apiVersion);
  if (group === '' && ref.kind === '') return ref.name;
  const groupKind = group === '' ? ref.kind : `${ref.kind}.${group}`;
  return `${groupKind.toLowerCase()}/${ref.name}`;
}

const controllerRevisionPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'Controller of the object'),
    docColumn('Revision', 'ControllerRevision.revision'),
    AGE_COLUMN,
  ],
  cells: (cr, { now }) => [nameOf(cr), controllerName(cr), num(cr['revision']), ageOf(cr, now)],
};

export const appsPrinters: PrinterTable = {
  'deployments.apps': deploymentPrinter,
  'replicasets.apps': replicaSetPrinter,
  'daemonsets.apps': daemonSetPrinter,
  'statefulsets.apps': statefulSetPrinter,
  'controllerrevisions.apps': controllerRevisionPrinter,
};
