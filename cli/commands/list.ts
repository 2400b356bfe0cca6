/** `emr-flow list`: a project's runs, newest first (ListFlowInstance). */
import type { Command } from "commander";
import type { FlowInstanceSummary } from "../../provider/client/responses";
import { FLOW_STATUSES } from "../../provider/client/responses";
import { listTable } from "../format";
import { DEFAULT_LIST_LIMIT, collectStatuses, parseFlowId, parseLimit, projectOption, requireProject } from "../options";
import type { CommandEnv } from "../session";

/** ListFlowInstance's largest page. */
const MAX_PAGE_SIZE = 100;

export function addList(program: Command, { sessionOf }: CommandEnv): void {
    program
        .command("list")
        .description("List a project's runs, newest first (ListFlowInstance).")
        .addOption(projectOption())
        .option("-f, --flow <id>", "only runs of this flow, F-…", parseFlowId)
        .option("-s, --status <status>", `only runs in these statuses (comma-separated or repeated): ${FLOW_STATUSES.join(", ")}`, collectStatuses)
        .option("-n, --limit <n>", "show at most this many", parseLimit, DEFAULT_LIST_LIMIT)
        .action(async (opts: { project?: string; flow?: string; status?: string[]; limit: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "list");
            const { client } = s.client();
            const instances: FlowInstanceSummary[] = [];
            let total = 0;
            for (let page = 1; instances.length < opts.limit; page++) {
                const res = await client.listFlowInstances({
                    projectId,
                    flowId: opts.flow,
                    statuses: opts.status && opts.status.length > 0 ? [...new Set(opts.status)] : undefined,
                    orderBy: "id",
                    orderType: "DESC",
                    pageNumber: page,
                    pageSize: Math.min(MAX_PAGE_SIZE, opts.limit),
                });
                total = res.total;
                instances.push(...res.instances.slice(0, opts.limit - instances.length));
                if (res.instances.length === 0 || page * res.pageSize >= res.total) break;
            }
            if (s.json) {
                s.printJson({ projectId, total, instances });
            } else if (instances.length === 0) {
                s.note(`emr-flow: no runs in project ${projectId}${opts.flow ? ` of flow ${opts.flow}` : ""}${opts.status ? ` in status ${opts.status.join(", ")}` : ""}`);
            } else {
                s.out(listTable(instances));
                if (total > instances.length) s.note(`emr-flow: showing ${instances.length} of ${total}; raise --limit to see more`);
            }
        });
}
