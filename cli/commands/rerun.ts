/** `emr-flow rerun`: run a finished run again on the same instance (RerunFlow). */
import type { Command } from "commander";
import { rerunRun } from "../../provider/runs/rerun";
import { parseInstanceId, projectOption, requireProject, timeoutOption } from "../options";
import type { CommandEnv } from "../session";

export function addRerun(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("rerun")
        .description("Run a finished run again on the same instance (RerunFlow): all its nodes, or with --failed-only only the failed ones.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .option("--failed-only", "rerun only the nodes that failed")
        .option("-w, --wait", "wait until the rerun ends, showing progress")
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; failedOnly?: boolean; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "rerun", instanceId);
            const { client } = s.client();
            const ref = { projectId, instanceId };
            const rerun = await rerunRun(client, ref, { failedOnly: Boolean(opts.failedOnly) });
            const summary = { instanceId, requestId: rerun.requestId, accepted: rerun.accepted, failedOnly: Boolean(opts.failedOnly) };
            const line = `emr-flow: rerunning ${opts.failedOnly ? "the failed nodes of " : ""}${instanceId}`;
            if (!opts.wait) {
                if (s.json) s.printJson(summary);
                else s.note(`${line}; follow it with: emr-flow wait ${instanceId} --project ${projectId}`);
                return;
            }
            s.note(line);
            result.code = await s.waitAndReport(ref, opts.timeout, undefined, summary);
        });
}
