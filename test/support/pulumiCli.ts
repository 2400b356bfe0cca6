/**
 * Finding a Pulumi CLI that actually runs, without reaching beyond this machine.
 *
 * `node_modules/.bin/pulumi` is the official npm launcher: on first use it downloads the real
 * CLI from the internet. Tests and the demo must not do that behind the user's back, so the
 * launcher counts only when it has already fetched its CLI (into `$PULUMI_HOME/versions/<v>`,
 * where `npx pulumi version` puts it); otherwise only a `pulumi` elsewhere on PATH counts. A
 * candidate counts only when `pulumi version` answers with a version.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface CliProbe {
    /** The executable to run, when a working CLI was found. */
    command?: string;
    version?: string;
    /** Why there is none, when there is none. */
    reason?: string;
}

let probed: CliProbe | undefined;

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** `pulumi` on PATH, skipping npm launchers (they live in a node_modules/.bin folder). */
function onPath(env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir || dir.split(path.sep).includes("node_modules")) continue;
        const candidate = path.join(dir, "pulumi");
        if (isExecutable(candidate)) return candidate;
    }
    return undefined;
}

/** The CLI the npm launcher has already fetched, if any. */
function fetchedByLauncher(env: NodeJS.ProcessEnv): string | undefined {
    let version: string;
    try {
        version = (require("pulumi/package.json") as { version: string }).version;
    } catch {
        return undefined;
    }
    const home = env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    const candidate = path.join(home, "versions", version, "bin", "pulumi");
    return isExecutable(candidate) ? candidate : undefined;
}

export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): CliProbe {
    if (probed) return probed;
    const command = onPath(env) ?? fetchedByLauncher(env);
    if (!command) {
        probed = {
            reason: "pulumi CLI not found: none on PATH, and the pulumi npm launcher has not fetched one (run `npx pulumi version` once where the internet is reachable)",
        };
        return probed;
    }
    const result = spawnSync(command, ["version"], { env, encoding: "utf8", timeout: 60_000 });
    if (result.status === 0 && /^v?\d+\.\d+\.\d+/.test(result.stdout.trim())) {
        probed = { command, version: result.stdout.trim() };
    } else {
        const said = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").filter(Boolean).pop() ?? result.error?.message ?? `exit code ${result.status}`;
        probed = { reason: `pulumi CLI at ${command} did not run: \`pulumi version\` said "${said}"` };
    }
    return probed;
}
