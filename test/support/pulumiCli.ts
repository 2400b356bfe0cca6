/**
 * Finding a Pulumi CLI that actually runs. `node_modules/.bin/pulumi` is the official npm
 * launcher, which downloads the real CLI on first use: where the internet cannot be reached it
 * is not a CLI, so a candidate counts only when `pulumi version` answers with a version.
 */
import { spawnSync } from "child_process";

export interface CliProbe {
    /** The command to run, when a working CLI was found. */
    command?: string;
    version?: string;
    /** Why there is none, when there is none. */
    reason?: string;
}

let probed: CliProbe | undefined;

export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): CliProbe {
    if (probed) return probed;
    const result = spawnSync("pulumi", ["version"], { env, encoding: "utf8", timeout: 60_000 });
    if (result.error) {
        probed = { reason: (result.error as NodeJS.ErrnoException).code === "ENOENT" ? "pulumi CLI not found on PATH" : `pulumi CLI did not start (${result.error.message})` };
    } else if (result.status === 0 && /^v?\d+\.\d+\.\d+/.test(result.stdout.trim())) {
        probed = { command: "pulumi", version: result.stdout.trim() };
    } else {
        const said = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").filter(Boolean).pop() ?? `exit code ${result.status}`;
        probed = { reason: `pulumi CLI not usable here: \`pulumi version\` said "${said}"` };
    }
    return probed;
}
