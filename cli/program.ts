/**
 * The `emr-flow` command line: submit, status, wait, kill, rerun, list, projects and flows (one
 * file each in `commands/`), on the same EMR client, credentials and endpoint settings as the Pulumi provider
 * (`resolveSettings` over the environment, with `--region` and `--endpoint` as explicit values on
 * top), and the same operations on runs (`provider/runs`).
 *
 * Parsing is commander's; this module builds the command tree and turns every outcome into one
 * exit code (see `exit.ts`). `run` never calls `process.exit`, so tests and the entry point decide
 * what to do with the code.
 */
import { Command, CommanderError, Option } from "commander";
import { EmrConfigError, EmrFlowError, CredentialsError, isNotFoundError } from "../provider/client/errors";
import { NOT_FOUND_ADVICE } from "../provider/client/classify";
import { addFlows } from "./commands/flows";
import { addKill } from "./commands/kill";
import { addList } from "./commands/list";
import { addProjects } from "./commands/projects";
import { addRerun } from "./commands/rerun";
import { addStatus } from "./commands/status";
import { addSubmit } from "./commands/submit";
import { addWait } from "./commands/wait";
import { CliError, EXIT, type ExitCode } from "./exit";
import { parseEndpoint, parseRegion } from "./options";
import { Session, type CliContext, type CommandEnv, type GlobalOptions } from "./session";

export type { CliContext } from "./session";
export { DEFAULT_LIST_LIMIT, DEFAULT_WAIT_SECONDS, PROJECT_ENV_VAR } from "./options";

/** Builds the command tree. Every action stores its exit code in `result`. */
function buildProgram(ctx: CliContext, result: { code: ExitCode }, help: { json: boolean; text: string }): Command {
    const program = new Command("emr-flow");
    let session: Session | undefined;
    const sessionOf = (cmd: Command): Session => (session ??= new Session(ctx, cmd.optsWithGlobals<GlobalOptions>()));

    program
        .description(
            "Submit, watch, stop and list runs of Alibaba Cloud E-MapReduce (EMR) flows. Credentials and endpoint come from the same places as the Pulumi provider's: " +
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), else Alibaba's default credential chain; " +
                "the region from ALIBABA_CLOUD_REGION; the endpoint from ALIBABA_CLOUD_ENDPOINT_EMR.",
        )
        .version(ctx.version ?? "0.0.0", "-V, --version")
        .addOption(new Option("-r, --region <region>", "the project's region (default: $ALIBABA_CLOUD_REGION, then $ALICLOUD_REGION)").argParser(parseRegion))
        .addOption(new Option("--endpoint <url>", "the EMR endpoint, host[:port] or http(s)://host[:port] (default: $ALIBABA_CLOUD_ENDPOINT_EMR, else per region)").argParser(parseEndpoint))
        .option("--json", "print the result as JSON on stdout (progress and notes go to stderr)")
        .configureHelp({ showGlobalOptions: true })
        // With --json, help and version become the one JSON document (see `run`).
        .configureOutput({ writeOut: (s) => (help.json ? (help.text += s) : ctx.stdout.write(s)), writeErr: (s) => ctx.stderr.write(s) })
        .showHelpAfterError("(run the command with --help for its usage)")
        .addHelpText(
            "after",
            "\nExit codes: 0 succeeded, 1 the run failed or was killed, 2 usage error, 3 timeout, 4 API or credential error.",
        )
        .exitOverride();

    const env: CommandEnv = { sessionOf, result };
    for (const add of [addSubmit, addStatus, addWait, addKill, addRerun, addList, addProjects, addFlows]) add(program, env);

    return program;
}

const CLI_NOT_FOUND_ADVICE = "Check the ID and that --project and --region are the ones it belongs to.";

/** Maps any error to its message, stable code and exit code. */
export function classify(err: unknown): { message: string; code: string; exitCode: ExitCode } {
    if (err instanceof CliError) return { message: err.message, code: err.code, exitCode: err.exitCode };
    if (EmrConfigError.isInstance(err)) {
        // A setting given on the command line is a usage error; one from the environment is a setting error.
        const fromFlag = /^(explicit|--)/.test(err.setting ?? "");
        return { message: err.message, code: err.code, exitCode: fromFlag ? EXIT.usage : EXIT.api };
    }
    if (CredentialsError.isInstance(err)) return { message: err.message, code: err.code, exitCode: EXIT.api };
    if (isNotFoundError(err)) {
        const e = err as EmrFlowError;
        // One piece of advice, the command line's own: in place of the client's, which speaks of
        // settings rather than options, or after the message when it has none of that kind.
        const message = e.message.includes(NOT_FOUND_ADVICE) ? e.message.replace(NOT_FOUND_ADVICE, CLI_NOT_FOUND_ADVICE) : `${e.message} ${CLI_NOT_FOUND_ADVICE}`;
        return { message, code: e.code, exitCode: EXIT.api };
    }
    if (EmrFlowError.isInstance(err)) return { message: err.message, code: err.code, exitCode: EXIT.api };
    const message = err instanceof Error ? err.message : String(err);
    return { message: `unexpected error: ${message}`, code: "UnexpectedError", exitCode: EXIT.api };
}

/** Runs the command line on `argv` (without `node` and the script) and returns the exit code. */
export async function run(argv: string[], ctx: CliContext): Promise<ExitCode> {
    const result: { code: ExitCode } = { code: EXIT.ok };
    const wantsJson = argv.includes("--json");
    const help = { json: wantsJson, text: "" };
    const program = buildProgram(ctx, result, help);
    const printJson = (value: unknown): void => void ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    try {
        await program.parseAsync(argv, { from: "user" });
        return result.code;
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and version are answers, not errors; everything else commander rejects is usage.
            if (err.code === "commander.helpDisplayed" || err.code === "commander.version") {
                if (wantsJson) printJson(err.code === "commander.version" ? { version: help.text.trim() } : { help: help.text });
                return EXIT.ok;
            }
            if (wantsJson) {
                // No command at all: commander shows the help (on stderr) and stops with "(outputHelp)".
                const missing = err.code === "commander.help";
                const commands = program.commands.map((c) => c.name()).join(", ");
                printJson({
                    error: missing
                        ? { code: "MissingCommand", message: `no command given: use one of ${commands} (emr-flow --help lists them)`, exitCode: EXIT.usage }
                        : { code: err.code, message: err.message.replace(/^error: /, ""), exitCode: EXIT.usage },
                });
            }
            return EXIT.usage;
        }
        const { message, code, exitCode } = classify(err);
        ctx.stderr.write(`emr-flow: error: ${message}\n`);
        if (wantsJson) ctx.stdout.write(`${JSON.stringify({ error: { code, message, exitCode } }, null, 2)}\n`);
        return exitCode;
    }
}
