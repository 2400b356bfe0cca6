/** `emr-flow flows`: the flows of a project (ListFlow), with their IDs. */
import type { Command } from "commander";
import { listFlows } from "../../provider/runs/lookup";
import { toFlowDetails } from "../../sdk/flowCatalogDetails";
import { flowsTable } from "../format";
import { projectOption } from "../options";
import type { CommandEnv } from "../session";

export function addFlows(program: Command, { sessionOf }: CommandEnv): void {
    program
        .command("flows")
        .description("List the flows of a project (ListFlow), with their IDs and schedules.")
        .addOption(projectOption())
        .option("--name <name>", "only the flows with exactly this name (case included)")
        .action(async (opts: { project?: string; name?: string }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = await s.projectId(opts.project, "flows");
            const { client, regionId } = s.client();
            const flows = (await listFlows(client, { regionId, projectId, name: opts.name })).map((f) => toFlowDetails(f, projectId, regionId));
            if (s.json) {
                s.printJson({ projectId, regionId, total: flows.length, flows });
            } else if (flows.length === 0) {
                // No result is not a result: the note goes to stderr, stdout stays empty.
                s.note(
                    opts.name === undefined
                        ? `emr-flow: no flows in project ${projectId}`
                        : `emr-flow: no flow is named "${opts.name}" in project ${projectId}; list them all with: emr-flow flows --project ${projectId}`,
                );
            } else {
                s.out(flowsTable(flows));
            }
        });
}
