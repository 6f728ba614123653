import { AGE_COLUMN, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { arr, optNum, optStr, records, str } from './fields.ts';
import { listWithMore } from './format.ts';

const MAX_SHOWN = 3;

/** printers.go `formatDiscoveryPorts`: port number, else its name, else `*`. */
function portsText(ports: unknown): string {
  const list = records(ports).map((p) => {
    const port = optNum(p['port']);
    if (port !== undefined) return String(port);
    return optStr(p['name']) ?? '*';
  });
  return listWithMore(list, list.length, MAX_SHOWN);
}

/** printers.go `formatDiscoveryEndpoints`: every address of every endpoint. */
function endpointsText(endpoints: unknown): string {
  const list = records(endpoints).flatMap((e) => arr(e['addresses']).map(str));
  return listWithMore(list, list.length, MAX_SHOWN);
}

/** discovery.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const discoveryPrinters: PrinterTable = {
  'endpointslices.discovery.k8s.io': {
    columns: [
      NAME_COLUMN,
      docColumn('AddressType', 'EndpointSlice.addressType'),
      docColumn('Ports', 'EndpointSlice.ports'),
      docColumn('Endpoints', 'EndpointSlice.endpoints'),
      AGE_COLUMN,
    ],
    cells: (es, { now }) => [
      nameOf(es),
      str(es['addressType']),
      portsText(es['ports']),
      endpointsText(es['endpoints']),
      ageOf(es, now),
    ],
  },
};
