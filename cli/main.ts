#!/usr/bin/env node
/**
 * The `emr-flow` command line's entry point: wires the process's streams, environment and
 * Ctrl-C into `run`, and exits with its code.
 */
import * as fs from "fs";
import * as path from "path";
import { run } from "./program";
import { EXIT } from "./exit";

/** The package's version, from its package.json (two levels up once compiled to dist/cli). */
function packageVersion(): string {
    for (const candidate of [path.join(__dirname, "..", "..", "package.json"), path.join(__dirname, "..", "package.json")]) {
        try {
            const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
            if (pkg.name === "pulumi-emr-flow" && pkg.version) return pkg.version;
        } catch {
            // Try the next place.
        }
    }
    return "0.0.0";
}

async function main(): Promise<void> {
    const code = await run(process.argv.slice(2), {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        version: packageVersion(),
        onInterrupt: (handler) => {
            const onSigint = (): void => {
                handler();
                process.exit(EXIT.interrupted);
            };
            process.once("SIGINT", onSigint);
            return () => process.off("SIGINT", onSigint);
        },
    });
    // Let stdout drain before exiting: a piped `--json` result must arrive whole.
    process.exitCode = code;
}

main().catch((err: unknown) => {
    process.stderr.write(`emr-flow: error: unexpected: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.api;
});
