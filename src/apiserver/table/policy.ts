import { AGE_COLUMN, column, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { num, rec } from './fields.ts';

/** intstr.IntOrString.String(), or `N/A` when the field is unset. */
function intOrStringText(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  if (typeof v === 'string') return v;
  return 'N/A';
}

/** policy/v1 printers from printers.go, Kubernetes 1.32. */
export const policyPrinters: PrinterTable = {
  'poddisruptionbudgets.policy': {
    columns: [
      NAME_COLUMN,
      column('Min Available', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      column(
        'Allowed Disruptions',
        'Calculated number of pods that may be disrupted at this time.',
        {
          type: 'integer',
        },
      ),
      AGE_COLUMN,
    ],
    cells(pdb, { now }) {
      const spec = rec(pdb['spec']);
      return [
        nameOf(pdb),
        intOrStringText(spec['minAvailable']),
        intOrStringText(spec['maxUnavailable']),
        num(rec(pdb['status'])['disruptionsAllowed']),
        ageOf(pdb, now),
      ];
    },
  },
};
