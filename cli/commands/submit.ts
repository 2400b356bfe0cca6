/** `emr-flow submit`: start a run (SubmitFlow), and with --wait wait for it. */
import type { Command } from "commander";
import { submitFlowOnce, submittedLine } from "../../provider/runs/submit";
import { buildConf, collectConf, parseFlowId, projectOption, requireProject, timeoutOption } from "../options";
import type { CommandEnv } from "../session";

export function addSubmit(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("submit")
        .description("Start a run of a flow (SubmitFlow). Prints the new instance ID; with --wait, waits for the run to end.")
        .addOption(projectOption())
        .requiredOption("-f, --flow <id>", "the flow to run, F-…", parseFlowId)
        .option("-c, --conf <key=value>", "a flow parameter; repeat for more", collectConf, [])
        .option("--cyctime <time>", "the scheduled time: 2026-11-27, an ISO-8601 time with a zone, or epoch ms (sent as epoch ms)")
        .option("-w, --wait", "wait until the run ends, showing progress")
        .addOption(timeoutOption())
        .action(async (opts: { project?: string; flow: string; conf: string[]; cyctime?: string; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "submit");
            const conf = buildConf(opts.conf, opts.cyctime);
            const { client, regionId } = s.client();
            const attempt = await submitFlowOnce(client, { projectId, flowId: opts.flow, conf });
            // No record and no search here: an unknown outcome is reported as it is (exit 4), and the user decides.
            if (attempt.outcome === "unknown") throw attempt.error;
            const submitted = attempt;
            const summary = { instanceId: submitted.instanceId, requestId: submitted.requestId, projectId, flowId: opts.flow, regionId, ...(conf && { conf }) };
            if (!opts.wait) {
                if (s.json) s.printJson(summary);
                else {
                    s.out(submitted.instanceId);
                    s.note(`${submittedLine({ projectId, flowId: opts.flow, regionId }, submitted.instanceId)}. Follow it with: emr-flow wait ${submitted.instanceId} --project ${projectId}`);
                }
                return;
            }
            // The ID alone on stdout, as without --wait, so that $(emr-flow submit … --wait) captures it.
            if (!s.json) s.out(submitted.instanceId);
            s.note(submittedLine({ projectId, flowId: opts.flow, regionId }, submitted.instanceId));
            result.code = await s.waitAndReport({ projectId, instanceId: submitted.instanceId }, opts.timeout, undefined, summary);
        });
}
