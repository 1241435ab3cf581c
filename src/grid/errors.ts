/**
 * Error codes of the node machinery every slapgrid command shares
 * (configuration, lock, child processes); documented in docs/errors/grid.md.
 * The software, instance, supervisord, promise and networkcache parts keep
 * their own codes in their folder's errors.ts.
 */
export const NodeErrorCode = {
  /** slapos.cfg misses a mandatory option, or holds a value slapgrid cannot use. */
  CONFIG: 'GRID_ERR_CONFIG',
  /** Another live process holds the pid file. */
  LOCKED: 'GRID_ERR_LOCKED',
  /** The pid file cannot be written. */
  LOCK_IO: 'GRID_ERR_LOCK_IO',
  /** A child process could not be started at all. */
  SPAWN: 'GRID_ERR_SPAWN',
  /** A child was asked to run as uid 0 or gid 0. */
  UNSAFE_USER: 'GRID_ERR_UNSAFE_USER',
  /** A uid has no passwd entry. */
  UNKNOWN_USER: 'GRID_ERR_UNKNOWN_USER',
  /** Less free space than `software_min_free_space`/`instance_min_free_space` where a build or deployment would write. */
  DISK_SPACE: 'GRID_ERR_DISK_SPACE',
  /** A buildout ran past its time limit (`partition_timeout`) and was killed. */
  BUILDOUT_TIMEOUT: 'GRID_ERR_BUILDOUT_TIMEOUT',
} as const;
