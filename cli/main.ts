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
    const argv = process.argv.slice(2);
    // Ctrl-C at any point: the command's own cleanup (a wait says how to wait again), then, with
    // --json, the one document stdout promises if nothing was printed yet, then exit 130.
    let printed = false;
    const stdout = Object.create(process.stdout, {
        write: {
            value: (text: string) => {
                printed = true;
                return process.stdout.write(text);
            },
        },
    }) as typeof process.stdout;
    const cleanups = new Set<() => void>();
    process.once("SIGINT", () => {
        for (const cleanup of cleanups) cleanup();
        if (argv.includes("--json") && !printed) {
            const message = "interrupted (Ctrl-C); a run already submitted goes on";
            process.stdout.write(`${JSON.stringify({ error: { code: "Interrupted", message, exitCode: EXIT.interrupted } }, null, 2)}\n`);
        }
        process.exit(EXIT.interrupted);
    });
    const code = await run(argv, {
        stdout,
        stderr: process.stderr,
        env: process.env,
        version: packageVersion(),
        onInterrupt: (handler) => {
            cleanups.add(handler);
            return () => cleanups.delete(handler);
        },
    });
    // Let stdout drain before exiting: a piped `--json` result must arrive whole.
    process.exitCode = code;
}

main().catch((err: unknown) => {
    process.stderr.write(`emr-flow: error: unexpected: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.api;
});
