import { PyFloat, PyObject, PyTuple, type MarshalValue } from '../slap/index.ts';
import { instanceDict, timestampText } from './documents.ts';
import type { ProxyStore } from './store/types.ts';

/** Everything `slapos proxy show` prints, as plain JSON-ready data. */
export interface ProxySnapshot {
  computers: { reference: string; address: string | null; netmask: string | null }[];
  software: { url: string; computer: string; requestedState: string; reportedState: string | null; errorLog: string | null }[];
  partitions: {
    computer: string;
    reference: string;
    slapState: string;
    title: string | null;
    softwareRelease: string | null;
    softwareType: string | null;
    requestedBy: string;
    requestedState: string | null;
    timestamp: string | null;
    reportedState: string | null;
    errorLog: string | null;
    addresses: string[];
    parameters: Record<string, unknown>;
    connectionParameters: Record<string, unknown>;
  }[];
  slaves: {
    computer: string;
    reference: string;
    askedBy: string;
    hostedBy: string | null;
    softwareType: string;
    listed: boolean;
    parameters: Record<string, unknown>;
    connectionParameters: Record<string, unknown>;
  }[];
}

export type ShowSection = 'computers' | 'software' | 'partitions' | 'slaves' | 'params' | 'network';
export const SHOW_SECTIONS: readonly ShowSection[] = ['computers', 'software', 'partitions', 'slaves', 'params', 'network'];

/** A typed parameter value as JSON shows it: tuples as arrays, big ints as text. */
function plain(value: MarshalValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return value.value;
  if (value instanceof PyTuple) return value.items.map(plain);
  if (value instanceof PyObject) return { class: `${value.module}.${value.className}`, args: value.args.map(plain), attributes: plain(value.attributes) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).map((key) => [key, plain(value[key]!)]));
  }
  return value;
}

function plainDict(xml: string | null): Record<string, unknown> {
  return plain(instanceDict(xml)) as Record<string, unknown>;
}

export async function proxySnapshot(store: ProxyStore): Promise<ProxySnapshot> {
  return store.transaction(async (tx) => {
    const partitions: ProxySnapshot['partitions'] = [];
    for (const p of await tx.listPartitions()) {
      const allocated = p.slapState === 'busy';
      partitions.push({
        computer: p.computerReference,
        reference: p.reference,
        slapState: p.slapState,
        title: p.title,
        softwareRelease: p.softwareRelease,
        softwareType: p.softwareType,
        requestedBy: p.requestedBy,
        requestedState: allocated ? p.requestedState : null,
        timestamp: p.timestamp === null ? null : timestampText(p.timestamp),
        reportedState: p.reportedState,
        errorLog: p.errorLog,
        addresses: (await tx.listAddresses(p.computerReference, p.reference)).map((a) => `${a.interface} ${a.address}`),
        parameters: plainDict(p.parameterXml),
        connectionParameters: plainDict(p.connectionXml),
      });
    }
    return {
      computers: await tx.listComputers(),
      software: (await tx.listSoftware()).map((s) => ({
        url: s.url, computer: s.computerReference, requestedState: s.requestedState, reportedState: s.reportedState, errorLog: s.errorLog,
      })),
      partitions,
      slaves: (await tx.listSlaves()).map((s) => ({
        computer: s.computerReference,
        reference: s.reference,
        askedBy: s.askedBy,
        hostedBy: s.hostedBy,
        softwareType: s.softwareType,
        listed: s.listed,
        parameters: plain(s.parameters) as Record<string, unknown>,
        connectionParameters: plainDict(s.connectionXml),
      })),
    };
  });
}

/** Columns padded to their widest cell; `-` for no value. */
function formatTable(title: string, headers: string[], rows: (string | null | undefined)[][]): string {
  if (rows.length === 0) return `${title}: none\n`;
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : cell.replace(/\s+/g, ' '))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`${title}:`, line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function parameterLines(parameters: Record<string, unknown>): string[] {
  return Object.keys(parameters).sort().map((key) => {
    const value = parameters[key];
    let shown = typeof value === 'string' ? value : JSON.stringify(value);
    // `_` carries the parameters as JSON: show it indented.
    if (key === '_' && typeof value === 'string') {
      try { shown = JSON.stringify(JSON.parse(value), null, 2); } catch { /* not JSON: as is */ }
    }
    return `    ${key} = ${shown.split('\n').join('\n      ')}`;
  });
}

/** The readable form of `proxy show`: the chosen sections (all when none), one after the other. */
export function renderSnapshot(snapshot: ProxySnapshot, sections: readonly ShowSection[] = SHOW_SECTIONS): string {
  const chosen = sections.length === 0 ? SHOW_SECTIONS : sections;
  const parts: string[] = [];
  for (const section of chosen) {
    switch (section) {
      case 'computers':
        parts.push(formatTable('computers', ['reference', 'address', 'netmask'],
          snapshot.computers.map((c) => [c.reference, c.address, c.netmask])));
        break;
      case 'software':
        parts.push(formatTable('software releases', ['computer', 'url', 'requested', 'reported', 'error'],
          snapshot.software.map((s) => [s.computer, s.url, s.requestedState, s.reportedState, s.errorLog])));
        break;
      case 'partitions':
        parts.push(formatTable('instances', ['computer', 'partition', 'title', 'requested by', 'software release', 'type', 'requested', 'reported', 'timestamp'],
          snapshot.partitions.filter((p) => p.slapState === 'busy').map((p) => [
            p.computer, p.reference, p.title, p.requestedBy, p.softwareRelease, p.softwareType, p.requestedState, p.reportedState, p.timestamp])));
        break;
      case 'slaves':
        parts.push(formatTable('slave instances', ['computer', 'reference', 'asked by', 'hosted by', 'type', 'listed'],
          snapshot.slaves.map((s) => [s.computer, s.reference, s.askedBy, s.hostedBy, s.softwareType, s.listed ? 'yes' : 'no'])));
        break;
      case 'params': {
        const lines = ['parameters:'];
        for (const p of snapshot.partitions.filter((p) => p.slapState === 'busy')) {
          lines.push(`  ${p.computer} ${p.reference}: ${p.title ?? '-'} (type ${p.softwareType ?? '-'})`);
          lines.push('   instance parameters:', ...parameterLines(p.parameters));
          lines.push('   connection parameters:', ...parameterLines(p.connectionParameters));
        }
        for (const s of snapshot.slaves) {
          lines.push(`  slave ${s.reference} on ${s.computer} ${s.hostedBy ?? '-'}`);
          lines.push('   instance parameters:', ...parameterLines(s.parameters));
          lines.push('   connection parameters:', ...parameterLines(s.connectionParameters));
        }
        parts.push(lines.length === 1 ? 'parameters: none\n' : lines.join('\n') + '\n');
        break;
      }
      case 'network':
        parts.push(formatTable('network', ['computer', 'partition', 'addresses'],
          snapshot.partitions.filter((p) => p.addresses.length > 0).map((p) => [p.computer, p.reference, p.addresses.join(', ')])));
        break;
    }
  }
  return parts.join('\n');
}
