/** What `node software` does with one software release of the computer. */
export type SoftwareAction =
  /** build it (or fetch it from the binary cache), then report it available */
  | 'install'
  /** already installed (`.completed`): only report it available */
  | 'keep'
  /** remove its directory and report it destroyed */
  | 'destroy'
  /** not selected by --only-sr, or a state slapgrid does not handle: nothing at all */
  | 'ignore';

export interface SoftwareDecisionInput {
  /** Requested state from the master: `available` or `destroyed`. */
  state: string;
  url: string;
  hash: string;
  /** `software_root/<hash>/.completed` exists. */
  completed: boolean;
  /** --develop / --all: rebuild even completed releases. */
  develop: boolean;
  /** --only-sr values (URLs or hashes); undefined = every release. */
  onlySr?: readonly string[];
}

/**
 * The per-release decision, as a pure function: --only-sr selects releases by
 * URL or hash and forces their rebuild; --develop rebuilds everything; a
 * completed release is kept; a destroyed one is removed.
 */
export function decideSoftwareAction(input: SoftwareDecisionInput): SoftwareAction {
  const selected = input.onlySr === undefined || input.onlySr.includes(input.url) || input.onlySr.includes(input.hash);
  if (!selected) return 'ignore';
  if (input.state === 'destroyed') return 'destroy';
  if (input.state !== 'available') return 'ignore';
  if (input.develop || input.onlySr !== undefined || !input.completed) return 'install';
  return 'keep';
}
