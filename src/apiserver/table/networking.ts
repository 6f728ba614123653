import { AGE_COLUMN, column, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { loadBalancerText } from './core.ts';
import { arr, isRecord, optStr, rec, records, str } from './fields.ts';
import { formatLabelSelector } from './format.ts';

const MAX_HOSTS = 3;

/** printers.go `formatHosts`, quirks included: `*` when no rule names a host. */
function hostsText(rules: unknown): string {
  const all = records(rules);
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === MAX_HOSTS) more = true;
    const host = str(rule['host']);
    if (!more && host !== '') list.push(host);
  }
  if (list.length === 0) return '*';
  const text = list.join(',');
  return more ? `${text} + ${all.length - MAX_HOSTS} more...` : text;
}

function parametersText(params: unknown): string {
  if (!isRecord(params)) return '<none>';
  const group = optStr(params['apiGroup']);
  const kind = group === undefined ? str(params['kind']) : `${str(params['kind'])}.${group}`;
  return `${kind}/${str(params['name'])}`;
}

/** networking.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const networkingPrinters: PrinterTable = {
  'ingresses.networking.k8s.io': {
    columns: [
      NAME_COLUMN,
      column(
        'Class',
        'The name of the IngressClass resource that should be used for additional configuration',
      ),
      column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      column('Address', 'Address is a list containing ingress points for the load-balancer'),
      column('Ports', 'Ports of TLS configurations that open'),
      AGE_COLUMN,
    ],
    cells(ing, { now }) {
      const spec = rec(ing['spec']);
      return [
        nameOf(ing),
        optStr(spec['ingressClassName']) ?? '<none>',
        hostsText(spec['rules']),
        loadBalancerText(rec(ing['status'])['loadBalancer']),
        arr(spec['tls']).length > 0 ? '80, 443' : '80',
        ageOf(ing, now),
      ];
    },
  },
  'ingressclasses.networking.k8s.io': {
    columns: [
      NAME_COLUMN,
      column('Controller', 'Controller that is responsible for handling this class'),
      column('Parameters', 'A reference to a resource with additional parameters'),
      AGE_COLUMN,
    ],
    cells(ic, { now }) {
      const spec = rec(ic['spec']);
      return [
        nameOf(ic),
        str(spec['controller']),
        parametersText(spec['parameters']),
        ageOf(ic, now),
      ];
    },
  },
  'networkpolicies.networking.k8s.io': {
    columns: [NAME_COLUMN, docColumn('Pod-Selector', 'NetworkPolicySpec.podSelector'), AGE_COLUMN],
    cells: (np, { now }) => [
      nameOf(np),
      formatLabelSelector(rec(np['spec'])['podSelector']),
      ageOf(np, now),
    ],
  },
};
