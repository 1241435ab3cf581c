import { SlapOSError } from '../errors/index.ts';

/**
 * Error codes of the buildout engine. Callers (the CLI, slapgrid through the
 * runner's output) match on `code`; every code is listed in
 * docs/errors/buildout.md.
 */
export const BuildoutErrorCode = {
  /** A configuration file does not follow the buildout syntax. */
  PARSE: 'BUILDOUT_ERR_PARSE',
  /** A conditional section header `[name:expr]` cannot be evaluated. */
  CONDITION: 'BUILDOUT_ERR_CONDITION',
  /** A file extends itself through its own include chain. */
  RECURSIVE_EXTENDS: 'BUILDOUT_ERR_RECURSIVE_EXTENDS',
  /** A file or URL (extends, template, download) cannot be read. */
  DOWNLOAD: 'BUILDOUT_ERR_DOWNLOAD',
  /** A network download was needed while running offline. */
  OFFLINE: 'BUILDOUT_ERR_OFFLINE',
  /** A checksum given for a download or template does not match. */
  CHECKSUM: 'BUILDOUT_ERR_CHECKSUM',
  /** `${section:option}` names a section that is not defined. */
  MISSING_SECTION: 'BUILDOUT_ERR_MISSING_SECTION',
  /** `${section:option}` or a recipe names an option that is not defined. */
  MISSING_OPTION: 'BUILDOUT_ERR_MISSING_OPTION',
  /** A `${...}` reference is malformed. */
  SUBSTITUTION: 'BUILDOUT_ERR_SUBSTITUTION',
  /** Option values reference each other in a cycle. */
  CIRCULAR: 'BUILDOUT_ERR_CIRCULAR',
  /** A `<=` macro names a missing section or loops. */
  MACRO: 'BUILDOUT_ERR_MACRO',
  /** A part uses a recipe this engine does not have. */
  UNKNOWN_RECIPE: 'BUILDOUT_ERR_UNKNOWN_RECIPE',
  /** A feature only a Python zc.buildout has (develop eggs, extensions, some commands). */
  UNSUPPORTED: 'BUILDOUT_ERR_UNSUPPORTED',
  /** An option has a value the engine or a recipe refuses. */
  OPTION_VALUE: 'BUILDOUT_ERR_OPTION_VALUE',
  /** A recipe failed while installing or updating its part. */
  RECIPE: 'BUILDOUT_ERR_RECIPE',
  /** A Jinja2 template failed to compile or render. */
  TEMPLATE: 'BUILDOUT_ERR_TEMPLATE',
  /** Bad command-line arguments for `slapos buildout`. */
  USAGE: 'BUILDOUT_ERR_USAGE',
} as const;

export type BuildoutErrorCodeValue = (typeof BuildoutErrorCode)[keyof typeof BuildoutErrorCode];

/** An error the engine reports to the user as `Error: <message>` (zc.buildout's UserError). */
export class BuildoutError extends SlapOSError {
  override readonly code: BuildoutErrorCodeValue;

  constructor(code: BuildoutErrorCodeValue, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 400, ...options });
    this.name = 'BuildoutError';
    this.code = code;
  }
}

export function missingSection(section: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.MISSING_SECTION, `The referenced section, '${section}', was not defined.`);
}

export function missingOption(section: string, option: string): BuildoutError {
  return new BuildoutError(BuildoutErrorCode.MISSING_OPTION, `Missing option: ${section}:${option}`);
}
