/** `emr-flow status`: a run's status, times and nodes. */
import type { Command } from "commander";
import { EXIT } from "../exit";
import { describeDetails } from "../format";
import { parseInstanceId, projectOption, requireProject } from "../options";
import type { CommandEnv } from "../session";

export function addStatus(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("status")
        .description("Show a run's status, times and nodes (DescribeFlowInstance). Exits 1 when the run FAILED or was KILLED.")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .action(async (instanceId: string, opts: { project?: string }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "status", instanceId);
            const { client } = s.client();
            const details = s.details(await client.describeFlowInstance({ projectId, instanceId }));
            if (s.json) s.printJson(details);
            else s.out(describeDetails(details));
            result.code = details.status === "FAILED" || details.status === "KILLED" ? EXIT.runFailed : EXIT.ok;
        });
}
