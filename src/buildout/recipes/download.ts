import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { md5Hex } from '../download.ts';
import { BuildoutError, BuildoutErrorCode } from '../errors.ts';
import type { Options } from '../options.ts';
import type { RecipeContext, RecipeEntry, RecipeHost } from '../recipe.ts';
import { isTrue, parseMode } from './generic.ts';

interface DownloadPlan {
  url: string;
  md5sum: string | undefined;
  offline: boolean | undefined;
  /** Directory the result lives in. */
  location: string;
  shared: boolean;
}

/** Common options of both download recipes; `shared` places the result in the shared-part area, under a hash of the options. */
async function plan(host: RecipeHost, name: string, options: Options): Promise<DownloadPlan> {
  const url = options.getString('url');
  const md5sum = options.getString('md5sum', '').trim() || undefined;
  const offlineOption = options.getString('offline', '').trim();
  const shared = isTrue(options.getString('shared', ''));
  const destination = options.getString('destination', '').trim();
  if (shared && destination !== '') throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `${name}: 'shared' and 'destination' cannot be combined`);
  let location: string;
  if (shared) {
    const areas = String(await host.option('buildout', 'shared-part-list').catch(() => '')).split('\n').map((l) => l.trim()).filter(Boolean);
    const area = areas.at(-1);
    if (!area) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `${name}: shared = true needs buildout:shared-part-list`);
    const signature = options.entries().filter(([key]) => !key.startsWith('__')).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${String(v)}`).join('\n');
    location = join(area, name, md5Hex(signature));
  } else {
    location = destination !== '' ? resolve(host.directory, destination) : join(String(await host.option('buildout', 'parts-directory')), name);
  }
  return { url, md5sum, offline: offlineOption === '' ? undefined : isTrue(offlineOption), location, shared };
}

/** `slapos.recipe.build:download`: one file, checksum verified, into the part directory. */
export const downloadRecipe: RecipeEntry = {
  signature: 'slapos.recipe.build-ts1',
  async create({ host, name, options }: RecipeContext) {
    const destination = options.getString('destination', '').trim();
    // Here `destination` names the file itself, not a directory.
    const base = await plan(host, name, options);
    const target = destination !== '' ? resolve(host.directory, destination) : join(base.location, options.getString('filename', name));
    const location = destination !== '' ? dirname(target) : base.location;
    const mode = parseMode('mode', options.getString('mode', ''));
    options.set('target', target);
    options.set('location', location);
    return {
      async install() {
        if (base.shared && existsSync(target)) return undefined;
        const content = await host.download(base.url, { md5sum: base.md5sum, offline: base.offline });
        mkdirSync(dirname(target), { recursive: true });
        const temporary = `${target}.part`;
        writeFileSync(temporary, content);
        if (mode !== undefined) chmodSync(temporary, mode);
        renameSync(temporary, target);
        if (base.shared) return undefined;
        return [destination !== '' ? target : location];
      },
      async update() {
        return undefined;
      },
    };
  },
};

/** Archive kinds by file name; GNU tar detects compression itself when extracting. */
function isZip(url: string, content: Buffer): boolean {
  return content.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) || /\.zip$/i.test(url);
}

function extract(archive: string, into: string, zip: boolean): void {
  const result = zip
    ? spawnSync('unzip', ['-q', archive, '-d', into], { encoding: 'utf8' })
    : spawnSync('tar', ['-xf', archive, '-C', into], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new BuildoutError(BuildoutErrorCode.RECIPE, `Could not extract ${basename(archive)}: ${result.error?.message ?? result.stderr.trim()}`);
  }
}

/** `slapos.recipe.build:downloadunpacked`: an archive, checksum verified, unpacked into the part directory. */
export const downloadUnpackedRecipe: RecipeEntry = {
  signature: 'slapos.recipe.build-ts1',
  async create({ host, name, options }: RecipeContext) {
    const base = await plan(host, name, options);
    const strip = options.getString('strip-top-level-dir', '').trim();
    options.set('location', base.location);
    options.set('target', base.location);
    return {
      async install() {
        if (base.shared && existsSync(base.location)) return undefined;
        const content = await host.download(base.url, { md5sum: base.md5sum, offline: base.offline });
        mkdirSync(dirname(base.location), { recursive: true });
        const work = mkdtempSync(join(dirname(base.location), `.${basename(base.location)}-`));
        try {
          const archive = join(work, 'archive');
          const tree = join(work, 'tree');
          mkdirSync(tree);
          writeFileSync(archive, content);
          extract(archive, tree, isZip(base.url, content));
          const entries = readdirSync(tree);
          const single = entries.length === 1 && statSync(join(tree, entries[0]!)).isDirectory();
          const doStrip = strip === '' ? single : isTrue(strip);
          if (doStrip && !single) {
            throw new BuildoutError(BuildoutErrorCode.RECIPE, `${name}: strip-top-level-dir is true but the archive does not contain exactly one top-level directory`);
          }
          rmSync(base.location, { recursive: true, force: true });
          renameSync(doStrip ? join(tree, entries[0]!) : tree, base.location);
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
        return base.shared ? undefined : [base.location];
      },
      async update() {
        return undefined;
      },
    };
  },
};
