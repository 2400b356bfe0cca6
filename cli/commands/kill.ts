/** `emr-flow kill`: stop a run that is still going (KillFlow), and with --wait wait until it has ended. */
import type { Command } from "commander";
import { stopRun } from "../../provider/runs/stop";
import { systemClock } from "../../provider/runs/waiter";
import { EXIT } from "../exit";
import { parseInstanceId, projectOption, requireProject, timeoutOption } from "../options";
import { progressReporter, type ProgressReporter } from "../progress";
import type { CommandEnv } from "../session";

export function addKill(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("kill")
        .description("Stop a run that is still going (KillFlow). A run that already ended is left alone (exit 0).")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .option("-w, --wait", "wait until the run is KILLED")
        .addOption(timeoutOption())
        .action(async (instanceId: string, opts: { project?: string; wait?: boolean; timeout: number }, cmd: Command) => {
            const s = sessionOf(cmd);
            const projectId = requireProject(opts.project, "kill", instanceId);
            const { client } = s.client();
            const ref = { projectId, instanceId };
            const clock = s.ctx.clock ?? systemClock;
            // The bar starts with the wait after KillFlow, without the "failed" advice a killed run otherwise gets.
            let reporter: ProgressReporter | undefined;
            let stopped;
            try {
                stopped = await stopRun(client, ref, {
                    waitMs: opts.wait ? opts.timeout * 1000 : undefined,
                    observe: (instance) => (reporter ??= progressReporter(s.json ? s.ctx.stderr : s.ctx.stdout, clock.now(), () => clock.now())).update(instance),
                    clock,
                });
            } finally {
                reporter?.stop();
            }
            if (stopped.outcome === "gone") throw stopped.error;
            if (stopped.outcome === "ended") {
                if (s.json) s.printJson({ instanceId, killed: false, reason: "already ended", instance: s.details(stopped.instance) });
                else s.out(`emr-flow: ${instanceId} already ended (${stopped.instance.status}); nothing to kill`);
                return;
            }
            if (!opts.wait) {
                if (s.json) s.printJson({ instanceId, killed: stopped.accepted, requestId: stopped.requestId });
                else s.out(`emr-flow: asked EMR to kill ${instanceId} (was ${stopped.before.status}); follow it with: emr-flow wait ${instanceId} --project ${projectId}`);
                return;
            }
            const details = stopped.instance ? s.details(stopped.instance) : undefined;
            const timedOut = stopped.outcome === "timeout";
            if (s.json) s.printJson({ instanceId, killed: true, requestId: stopped.requestId, outcome: timedOut ? "timeout" : details?.status.toLowerCase(), instance: details });
            if (timedOut) {
                s.note(`emr-flow: asked EMR to kill ${instanceId}, but it was still ${details?.status ?? "unknown"} after ${opts.timeout}s; check it with: emr-flow status ${instanceId} --project ${projectId}`);
                result.code = EXIT.timeout;
                return;
            }
            if (!s.json) s.out(`emr-flow: ${instanceId} is ${details?.status}`);
            result.code = EXIT.ok;
        });
}
