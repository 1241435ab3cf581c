import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { BuildoutError, BuildoutErrorCode } from '../../errors.ts';
import type { RecipeContext, RecipeEntry } from '../../recipe.ts';
import { dumpValue } from '../../typed-text.ts';
import { createFile, parseMode } from '../generic.ts';
import { templateGlobals } from './builtins.ts';
import { compileJinja2, extensionsFor } from './compile.ts';
import { pythonFilters } from './filters.ts';
import type { TestRegistry } from './nunjucks-internals.ts';
import { pythonTests } from './tests.ts';
import { buildContext, parseTypedLines, readKey } from './context.ts';
import { str } from './objects.ts';
import * as python from './python.ts';

/** Templates importable by name (`import-list`): name → file path. */
async function importables(context: RecipeContext): Promise<{ files: Map<string, string>; folders: Map<string, string>; delimiter: string }> {
  const { host, name, options } = context;
  const files = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const line of parseTypedLines('import-list', options.getString('import-list', ''))) {
    const path = line.type === 'file' || line.type === 'folder' ? str(await readKey(host, line.expression, name)) : line.expression;
    const absolute = resolve(host.directory, path);
    if (line.type === 'file' || line.type === 'rawfile') files.set(line.name, absolute);
    else if (line.type === 'folder' || line.type === 'rawfolder') folders.set(line.name, absolute);
    else throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `import-list: unknown type '${line.type}' (file, rawfile, folder, rawfolder)`);
  }
  return { files, folders, delimiter: options.getString('import-delimiter', '/') };
}

/**
 * `slapos.recipe.template:jinja2`: renders a Jinja2 template (nunjucks with
 * a Python compatibility layer) into `output`. Context lookups happen in the
 * constructor; rendering at install, and again at update, rewriting the file
 * only when the result changed (values pulled through `key`/`section` are
 * not options, so this is how their changes reach the file).
 */
export const jinja2Recipe: RecipeEntry = {
  signature: 'slapos.recipe.template-ts1',
  async create(context: RecipeContext) {
    const { host, name, options } = context;
    let source: string;
    let sourceName: string;
    const legacy = options.getString('template', '');
    if (options.has('inline')) {
      source = options.getString('inline');
      sourceName = `${name}:inline`;
    } else if (legacy.startsWith('inline:')) {
      source = legacy.slice('inline:'.length).replace(/^\r?\n/, '');
      sourceName = `${name}:inline`;
    } else {
      const location = options.has('url') ? options.getString('url') : legacy;
      if (location === '') throw new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `${name}: one of the options 'url', 'inline' (or legacy 'template') is required`);
      source = (await host.download(location, { md5sum: options.getString('md5sum', '') || undefined })).toString('utf8');
      sourceName = location;
    }
    const encoding = options.getString('encoding', 'utf-8').trim().toLowerCase();
    if (encoding !== 'utf-8' && encoding !== 'utf8') {
      throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `${name}: encoding '${encoding}' is not supported (templates are read and written as UTF-8)`);
    }
    const output = resolve(host.directory, options.has('output') ? options.getString('output') : options.getString('rendered'));
    const mode = parseMode('mode', options.getString('mode', ''));
    const once = options.getString('once', '').trim();
    const variables = await buildContext(host, name, options.getString('context', ''));
    const imports = await importables(context);
    const extensions = extensionsFor(options.getString('extensions', '').split(/\s+/).filter(Boolean));

    const render = (): string => {
      const loader = {
        getSource(templateName: string) {
          const path = imports.files.get(templateName) ?? folderPath(imports.folders, imports.delimiter, templateName);
          if (path === undefined) return null;
          return { src: compileJinja2(readFileSync(path, 'utf8'), templateName, Object.values(extensions)), path: templateName, noCache: true };
        },
      };
      const environment = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, { autoescape: false, throwOnUndefined: true });
      for (const [extensionName, extension] of Object.entries(extensions)) environment.addExtension(extensionName, extension as nunjucks.Extension);
      for (const [globalName, value] of Object.entries(templateGlobals(dumpValue))) environment.addGlobal(globalName, value);
      environment.addGlobal('__py', python);
      for (const [filterName, filter] of Object.entries(pythonFilters())) environment.addFilter(filterName, filter);
      for (const [testName, test] of Object.entries(pythonTests())) (environment as unknown as TestRegistry).addTest(testName, test);
      const template = new nunjucks.Template(compileJinja2(source, sourceName, Object.values(extensions)) as unknown as string, environment, sourceName);
      try {
        return template.render(variables);
      } catch (error) {
        throw new BuildoutError(BuildoutErrorCode.TEMPLATE, `${name}: rendering ${sourceName} failed: ${(error as Error).message}`, { cause: error });
      }
    };
    const write = (): string[] => {
      if (once !== '' && existsSync(once)) return [];
      createFile(output, render(), mode);
      return [output];
    };
    return {
      async install() {
        return write();
      },
      async update() {
        write();
        return undefined;
      },
    };
  },
};

/** `NAME<delimiter>relative/path` inside an imported folder. */
function folderPath(folders: ReadonlyMap<string, string>, delimiter: string, templateName: string): string | undefined {
  for (const [prefix, directory] of folders) {
    if (!templateName.startsWith(prefix + delimiter)) continue;
    const path = join(directory, ...templateName.slice(prefix.length + delimiter.length).split(delimiter));
    if (!relative(directory, path).startsWith('..') && existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}

