/** `emr-flow wait`: wait until a run ends, showing progress. */
import type { Command } from "commander";
import { parseInstanceId, projectOption, requireProject, timeoutOption } from "../options";
import type { CommandEnv } from "../session";

export function addWait(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("wait")
        .description("Wait until a run ends: a live progress bar on a terminal, plain lines otherwise. Exits 0 SUCCEEDED, 1 FAILED or KILLED, 3 timeout.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "wait", instanceId);
            result.code = await s.waitAndReport({ projectId, instanceId }, opts.timeout, undefined);
        });
}
