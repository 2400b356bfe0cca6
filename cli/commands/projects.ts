/** `emr-flow projects`: the projects the credentials can see in the region (ListFlowProject). */
import type { Command } from "commander";
import { listProjects } from "../../provider/runs/lookup";
import { toFlowProjectDetails } from "../../sdk/flowCatalogDetails";
import { projectsTable } from "../format";
import type { CommandEnv } from "../session";

export function addProjects(program: Command, { sessionOf }: CommandEnv): void {
    program
        .command("projects")
        .description("List the projects these credentials can see in the region (ListFlowProject), with their IDs.")
        .option("--name <name>", "only the projects with exactly this name (case included)")
        .action(async (opts: { name?: string }, cmd: Command) => {
            const s = sessionOf(cmd);
            const { client, regionId } = s.client();
            const projects = (await listProjects(client, { regionId, name: opts.name })).map((p) => toFlowProjectDetails(p, regionId));
            if (s.json) {
                s.printJson({ regionId, total: projects.length, projects });
            } else if (projects.length === 0) {
                // No result is not a result: the note goes to stderr, stdout stays empty.
                s.note(opts.name === undefined ? `emr-flow: no projects in region ${regionId}` : `emr-flow: no project is named "${opts.name}" in region ${regionId}; list them all with: emr-flow projects`);
            } else {
                s.out(projectsTable(projects));
            }
        });
}
