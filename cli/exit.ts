/**
 * Exit codes and the errors that carry them. Scripts branch on the code, so each one means one
 * thing and never changes.
 */

/** What `emr-flow` exits with. */
export const EXIT = {
    /** The command did what it was asked; for a run, the run SUCCEEDED (or is still going, for `status`). */
    ok: 0,
    /** The run ended FAILED or KILLED. */
    runFailed: 1,
    /** The command line was wrong: unknown option, malformed ID, missing project or region. */
    usage: 2,
    /** `--timeout` passed before the run ended; the run itself goes on. */
    timeout: 3,
    /** The call could not be made or was refused: credentials, settings, network, or an API error such as an unknown instance. */
    api: 4,
    /** Interrupted (Ctrl-C) while waiting; the run goes on. 128 + SIGINT, as shells expect. */
    interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the command line reports as is, with its exit code. `code` is stable, for `--json`. */
export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode: ExitCode,
        readonly code: string,
    ) {
        super(message);
        this.name = "CliError";
    }
}

/** A mistake on the command line: exit 2. */
export function usageError(message: string, code = "UsageError"): CliError {
    return new CliError(message, EXIT.usage, code);
}
