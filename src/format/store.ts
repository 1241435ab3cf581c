/**
 * The computer file kept between runs: `computer_xml` (xml_marshaller, the
 * original's format, so a node formatted by the Python slapformat keeps its
 * partitions and addresses) and, when configured, `computer_json`. Both are
 * replaced atomically (temp file + rename): an interrupted run leaves either
 * the old or the new file, never half of one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { marshal, unmarshal, type MarshalValue } from '../slap/index.ts';
import { fromComputerDict, toComputerDict, type ComputerDefinition, type StoredComputer } from './computer.ts';
import { FormatError, FormatErrorCode } from './errors.ts';

export interface ComputerFiles {
  computerXml: string;
  computerJson?: string;
}

/** The computer a previous run stored; undefined on a machine never formatted. */
export function loadComputer(files: ComputerFiles): StoredComputer | undefined {
  if (existsSync(files.computerXml)) return fromComputerDict(decode(files.computerXml, (text) => unmarshal(text)), files.computerXml);
  if (files.computerJson !== undefined && existsSync(files.computerJson)) {
    return fromComputerDict(decode(files.computerJson, (text) => JSON.parse(text) as MarshalValue), files.computerJson);
  }
  return undefined;
}

function decode(path: string, parse: (text: string) => MarshalValue): MarshalValue {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FormatError(FormatErrorCode.DEFINITION, `cannot read computer file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parse(text);
  } catch (error) {
    throw new FormatError(FormatErrorCode.DEFINITION, `computer file ${path} is not valid: ${(error as Error).message}`, { cause: error });
  }
}

export async function saveComputer(files: ComputerFiles, computer: ComputerDefinition): Promise<void> {
  const dict = toComputerDict(computer);
  await writeAtomically(files.computerXml, marshal(dict));
  if (files.computerJson !== undefined) await writeAtomically(files.computerJson, `${JSON.stringify(sortKeys(dict), null, 2)}\n`);
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o644 });
  await rename(temporary, path);
}

/** HEAD writes computer_json with sorted keys, which keeps diffs between runs readable. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
