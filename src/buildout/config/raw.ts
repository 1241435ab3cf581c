/**
 * The merged, not yet substituted configuration: sections of raw option
 * values, plus the `+=` / `-=` edits written in a section that nothing below
 * defined ("orphan" edits). As in zc.buildout 2.13/3.0.1 those are never
 * applied by later files: a section's `<=` macros take them when the
 * section is read, and without macros they stay as literal options named
 * `a +` / `a -` (docs/COMPATIBILITY.md).
 *
 * Values are immutable; merging shares every section that one side does not
 * touch, so a deep extends tree costs one map per changed section.
 */
export interface RawSection {
  /** Plain assignments. An option may also have orphan edits (below), which later files never touch. */
  readonly values: ReadonlyMap<string, string>;
  /** Orphan `+=` lines, by option. */
  readonly adds: ReadonlyMap<string, string>;
  /** Orphan `-=` lines, by option. */
  readonly removes: ReadonlyMap<string, string>;
  /** Who set each option: the last assignment, then the edits applied over it (annotate). */
  readonly origins: ReadonlyMap<string, readonly Origin[]>;
}

/** One step of an option's history: a file (or DEFAULT_VALUE, COMPUTED_VALUE, COMMAND_LINE_VALUE). */
export interface Origin { readonly op: '=' | '+=' | '-='; readonly source: string }

export type RawConfig = ReadonlyMap<string, RawSection>;

export const EMPTY_SECTION: RawSection = { values: new Map(), adds: new Map(), removes: new Map(), origins: new Map() };

/** A section of plain values all set by one source. */
export function sectionOf(values: ReadonlyMap<string, string>, source: string): RawSection {
  const origin: readonly Origin[] = [{ op: '=', source }];
  return { ...EMPTY_SECTION, values, origins: new Map([...values.keys()].map((key) => [key, origin])) };
}

/** `base += added`: buildout concatenates by lines. */
export function addLines(base: string | undefined, added: string): string {
  return base === undefined ? added : `${base}\n${added}`;
}

/** `base -= removed`: drops the lines of `base` exactly equal to a line of `removed`. */
export function removeLines(base: string, removed: string): string {
  const drop = new Set(removed.split('\n'));
  return base.split('\n').filter((line) => !drop.has(line)).join('\n');
}

/** Applies one option's pending edits to a starting value (undefined: the option did not exist). */
function applyEdits(start: string | undefined, add: string | undefined, remove: string | undefined): string {
  let value = add === undefined ? start : addLines(start, add);
  if (remove !== undefined) value = removeLines(value ?? '', remove);
  return value ?? '';
}

/**
 * Overlays section `over` on `base` (a later file, a command line). `base`
 * is a section that exists below, so, as in zc.buildout, an edit applies to
 * its plain value, or to an implicit empty value when it has none: `a += x`
 * gives `\nx`, a plain value that then hides a macro's `a`. The orphan
 * edits of `base` are left as they are, as zc.buildout leaves its literal
 * `a +` options. With `collect` (command-line assignments gathered into
 * their own layer, not yet over anything) edits are gathered instead.
 */
export function mergeSection(base: RawSection, over: RawSection, collect = false): RawSection {
  const baseIsEmpty = base.values.size === 0 && base.adds.size === 0 && base.removes.size === 0;
  if (baseIsEmpty && (collect || (over.adds.size === 0 && over.removes.size === 0))) return over;
  const values = new Map(base.values);
  const adds = new Map(base.adds);
  const removes = new Map(base.removes);
  const origins = new Map(base.origins);
  for (const [key, value] of over.values) {
    values.set(key, value);
    if (collect) {
      adds.delete(key);
      removes.delete(key);
    }
    origins.set(key, over.origins.get(key) ?? []);
  }
  for (const key of editedKeys(over)) {
    origins.set(key, [...(origins.get(key) ?? []), ...(over.origins.get(key) ?? [])]);
    const add = over.adds.get(key);
    const remove = over.removes.get(key);
    const start = values.get(key) ?? (collect ? undefined : '');
    if (start !== undefined) {
      values.set(key, applyEdits(start, add, remove));
      continue;
    }
    // Command-line edits of an option no assignment set: gathered in order.
    let earlierAdd = adds.get(key);
    if (earlierAdd !== undefined && remove !== undefined) earlierAdd = removeLines(earlierAdd, remove);
    const combinedAdd = add === undefined ? earlierAdd : earlierAdd === undefined ? add : addLines(earlierAdd, add);
    const earlierRemove = removes.get(key);
    const combinedRemove = remove === undefined ? earlierRemove : earlierRemove === undefined ? remove : addLines(earlierRemove, remove);
    if (combinedAdd === undefined) adds.delete(key); else adds.set(key, combinedAdd);
    if (combinedRemove === undefined) removes.delete(key); else removes.set(key, combinedRemove);
  }
  return { values, adds, removes, origins };
}

/** Overlays a whole configuration on another, sharing untouched sections. */
export function mergeConfig(base: RawConfig, over: RawConfig): RawConfig {
  if (base.size === 0) return over;
  const result = new Map(base);
  for (const [name, section] of over) {
    const below = result.get(name);
    result.set(name, below === undefined ? section : mergeSection(below, section));
  }
  return result;
}

/**
 * The final option values of a section. Over `inherited` (its `<=` macros)
 * the orphan edits apply to the section's own value, else the macros', else
 * zc.buildout's implicit empty value (`\nx`). Without macros they stay
 * literal options `a +` / `a -`, which no recipe reads, as zc.buildout
 * 2.13/3.0.1 leaves them.
 */
export function finalizeSection(section: RawSection, inherited?: ReadonlyMap<string, string>): Map<string, string> {
  const result = new Map(inherited ?? []);
  for (const [key, value] of section.values) result.set(key, value);
  for (const key of editedKeys(section)) {
    const add = section.adds.get(key);
    const remove = section.removes.get(key);
    if (inherited !== undefined) {
      result.set(key, applyEdits(result.get(key) ?? '', add, remove));
      continue;
    }
    if (add !== undefined) result.set(`${key} +`, add);
    if (remove !== undefined) result.set(`${key} -`, remove);
  }
  return result;
}

function editedKeys(section: RawSection): Set<string> {
  return new Set([...section.adds.keys(), ...section.removes.keys()]);
}
