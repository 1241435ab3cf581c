/**
 * The built-in buildout engine on an extends tree shaped like SlapOS's
 * software/erp5/software.cfg: 248 files, chains 22 deep, shared files reached
 * through many paths (zc.buildout 3.0.1 opens 176,680 files for erp5), about
 * 600 sections, 4,700 options and 500 `<=` macros. Measures reading and
 * merging the tree, then substituting every option (`slapos buildout annotate
 * --resolve`), in-process, after one warm-up run.
 *
 * With --zc-buildout, the same tree is also resolved once by Debian's
 * zc.buildout 2.13.2 (test/fixtures/buildout-differential/dump.py), for
 * comparison.
 *
 *   node --import tsx bench/buildout-extends.ts [--files 248] [--depth 22] [--runs 5] [--zc-buildout]
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { annotateConfiguration } from '../src/buildout/index.ts';
import { referencePython, runPythonJson } from '../test/buildout/differential/reference.ts';
import { machineLine } from './support/machine.ts';
import { positiveInteger } from './support/options.ts';
import { ms } from './support/stats.ts';

interface TreeShape {
  files: number;
  depth: number;
  /** Average sections a file defines (2 or 3 each). */
  sectionsPerFile: number;
  optionsPerSection: number;
  /** Share of sections that use a `<=` macro. */
  macroShare: number;
}

/** A deterministic pseudo-random sequence (same tree on every run). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

interface GeneratedFile { path: string; level: number; text: string[]; extends: string[] }

/**
 * Writes the tree under `dir` and returns the root file. Level 0 is the
 * root; every file of level L+1 is extended by a file of level L (the deep
 * chain, and every file is reached) and each file also extends up to three
 * shared files of deeper levels. Sections reference only
 * sections generated before them, so substitution has no cycle.
 */
async function generateTree(dir: string, shape: TreeShape): Promise<{ root: string; sections: number; options: number; macros: number }> {
  const random = sequence(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const files: GeneratedFile[] = [];
  const perLevel = Math.ceil((shape.files - 1) / (shape.depth - 1));
  files.push({ path: join(dir, 'software', 'bench', 'software.cfg'), level: 0, text: [], extends: [] });
  for (let i = 1; files.length < shape.files; i++) {
    const level = 1 + Math.floor((i - 1) / perLevel);
    const kind = level < shape.depth / 2 ? 'stack' : 'component';
    files.push({ path: join(dir, kind, `c${i}`, 'buildout.cfg'), level: Math.min(level, shape.depth - 1), text: [], extends: [] });
  }
  const byLevel = (level: number): GeneratedFile[] => files.filter((file) => file.level === level);
  for (let level = 0; level < shape.depth - 1; level++) {
    const parents = byLevel(level);
    byLevel(level + 1).forEach((child, index) => parents[index % parents.length]!.extends.push(child.path));
  }
  for (const file of files) {
    const deeper = files.filter((other) => other.level > file.level + 1);
    for (let n = 0; n < 3 && deeper.length > 0; n++) {
      const shared = pick(deeper);
      if (!file.extends.includes(shared.path)) file.extends.push(shared.path);
    }
  }
  // Sections are defined deepest file first, so a section only references
  // sections defined in files the current one (transitively) may not extend:
  // references are by name, resolved on the merged tree, so that is fine.
  const defined: { name: string; options: string[] }[] = [];
  let options = 0;
  let macros = 0;
  for (const file of [...files].sort((a, b) => b.level - a.level)) {
    file.text.push('[buildout]');
    file.text.push(`extends =\n${file.extends.map((path) => `  ${relative(dirname(file.path), path)}`).join('\n')}`);
    file.text.push(file.level === 0 ? 'parts =' : `parts += ${defined.length > 0 ? pick(defined).name : 'none'}`);
    const count = random() < shape.sectionsPerFile - 2 ? 3 : 2;
    for (let s = 0; s < count; s++) {
      const name = `section-${defined.length}`;
      const keys: string[] = [];
      file.text.push('', `# ${name}`, `[${name}]`);
      if (defined.length > 0 && random() < shape.macroShare) {
        const macro = pick(defined);
        file.text.push(`<= ${macro.name}`);
        keys.push(...macro.options);
        macros++;
      }
      for (let o = 0; o < shape.optionsPerSection; o++) {
        const key = `option-${o}`;
        const roll = random();
        let value: string;
        if (roll < 0.3 && defined.length > 0) {
          const other = pick(defined);
          value = `\${${other.name}:${pick(other.options)}}/${key}`;
        } else if (roll < 0.45 && o > 0) value = `\${:option-${o - 1}}-\${:_buildout_section_name_}`;
        else if (roll < 0.55) value = `\${buildout:directory}/\${:_profile_base_location_}/${key}`;
        else if (roll < 0.6) value = `$\${escaped:${key}} \${buildout:parts-directory}`;
        else if (roll < 0.7) value = `\n  line-${o}\n  \${buildout:bin-directory}/${key}`;
        else value = `plain value ${o} of ${name}`;
        file.text.push(`${key} = ${value}`);
        keys.push(key);
        options++;
      }
      if (defined.length > 0 && random() < 0.2) {
        const extended = pick(defined);
        file.text.push('', `[${extended.name}]`, `${pick(extended.options)} +=\n  added-by-${name}`);
        options++;
      }
      defined.push({ name, options: [...new Set(keys)] });
    }
  }
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, `${file.text.join('\n')}\n`);
  }
  return { root: files[0]!.path, sections: defined.length, options, macros };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '248' },
      depth: { type: 'string', default: '22' },
      runs: { type: 'string', default: '5' },
      'zc-buildout': { type: 'boolean', default: false },
    },
  });
  const shape: TreeShape = {
    files: positiveInteger(values.files, 'files'),
    depth: positiveInteger(values.depth, 'depth'),
    sectionsPerFile: 2.42,
    optionsPerSection: 8,
    macroShare: 0.85,
  };
  const runs = positiveInteger(values.runs, 'runs');
  console.log(machineLine());
  const dir = await mkdtemp(join(tmpdir(), 'slapos-bench-extends-'));
  try {
    const tree = await generateTree(dir, shape);
    console.log(`tree: ${shape.files} files, ${shape.depth} deep, ${tree.sections} sections, ${tree.options} options, ${tree.macros} macros`);
    const timings: number[] = [];
    let resolved = 0;
    let errors = 0;
    for (let run = 0; run <= runs; run++) {
      const start = performance.now();
      const result = await annotateConfiguration({ configFile: tree.root, cwd: dir, resolve: true });
      const elapsed = performance.now() - start;
      if (run > 0) timings.push(elapsed);
      resolved = 0;
      errors = 0;
      for (const section of Object.values(result)) {
        for (const value of Object.values(section)) {
          if (typeof value === 'string') resolved++; else errors++;
        }
      }
    }
    timings.sort((a, b) => a - b);
    console.log(`resolved ${resolved} options (${errors} errors) per run`);
    console.log(`load + merge + substitute: median ${ms(timings[Math.floor(timings.length / 2)]!)} ms, `
      + `best ${ms(timings[0]!)} ms, worst ${ms(timings.at(-1)!)} ms over ${runs} runs (after 1 warm-up)`);
    if (values['zc-buildout']) {
      const python = await referencePython(join(dir, 'python'));
      const start = performance.now();
      await runPythonJson(python, 'dump.py', [{ config: tree.root, resolve: true }], dir);
      console.log(`zc.buildout 2.13.2, same tree, resolved once: ${ms(performance.now() - start)} ms (including ~1.5 s of Python start-up)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
