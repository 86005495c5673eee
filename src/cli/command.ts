/**
 * The contract every subcommand file in `src/cli/` follows: `src/cli/<name>.ts` exports
 * `command: CliCommand`. `main.ts` loads only the one that was asked for, so a command's
 * dependencies (the simulator, the SDK, sqlite) cost nothing to the others.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage, flags, defaults, examples. */
  readonly help: string;
  /** Returns the process exit code (see EXIT in this file). */
  run(argv: readonly string[]): Promise<number>;
}

/** Exit codes that mean something (documented in the README). */
export const EXIT = {
  OK: 0,
  /** Unexpected failure: a bug or a broken invariant. */
  FAILURE: 1,
  /** Bad command line or configuration; nothing was started. */
  USAGE: 2,
  /** A risk limit stopped the run (orders were cancelled). */
  RISK_HALT: 3,
  /** Could not reach the venue or it rejected our credentials. */
  VENUE: 4,
  /** The command exists in the plan but is not built yet. */
  NOT_BUILT: 69,
} as const;
