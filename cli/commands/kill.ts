/**
 * `emr-flow kill`: stop a run that is still going (KillFlow; where the service has none,
 * SuspendFlow and KillFlowJob), and with --wait wait until it has stopped.
 */
import type { Command } from "commander";
import { haltReport, stopRun } from "../../provider/runs/stop";
import { systemClock } from "../../provider/runs/waiter";
import { EXIT } from "../exit";
import { parseInstanceId, projectOption, requireProject, timeoutOption } from "../options";
import { progressReporter, type ProgressReporter } from "../progress";
import type { CommandEnv } from "../session";

export function addKill(program: Command, { sessionOf, result }: CommandEnv): void {
    program
        .command("kill")
        .description("Stop a run that is still going (KillFlow, or SuspendFlow and KillFlowJob where the service has no KillFlow). A run that already ended is left alone (exit 0).")
        .argument("<instance-id>", "the flow instance, FI-…", parseInstanceId)
        .addOption(projectOption())
        .option("-w, --wait", "wait until the run is KILLED (without KillFlow: until nothing of it runs)")
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
                    observe: (instance) => (reporter ??= progressReporter(s.ctx.stderr, clock.now(), () => clock.now())).update(instance),
                    clock,
                });
            } finally {
                reporter?.stop();
            }
            if (stopped.outcome === "gone") throw stopped.error;
            if (stopped.outcome === "ended") {
                if (s.json) s.printJson({ instanceId, killed: false, reason: "already ended", instance: s.details(stopped.instance) });
                else s.note(`emr-flow: ${instanceId} already ended (${stopped.instance.status}); nothing to kill`);
                return;
            }
            if (stopped.outcome === "halted") {
                // The service has no KillFlow: the run was suspended and its jobs killed, as far as that went.
                const details = stopped.instance ? s.details(stopped.instance) : undefined;
                if (s.json) {
                    s.printJson({
                        instanceId,
                        killed: stopped.instance?.status === "KILLED",
                        stoppedWith: "SuspendFlow+KillFlowJob",
                        stopped: stopped.stopped,
                        suspend: stopped.suspend,
                        jobs: stopped.jobs,
                        instance: details,
                    });
                } else s.note(`emr-flow: ${haltReport(stopped, instanceId)}`);
                // Without --wait nothing is promised beyond the asking; with it, a run not seen stopped is a timeout.
                const stepFailed = stopped.suspend.result === "failed" || stopped.jobs.some((j) => j.result !== "done");
                result.code = stepFailed ? EXIT.api : opts.wait && !stopped.stopped ? EXIT.timeout : EXIT.ok;
                return;
            }
            if (!opts.wait) {
                if (s.json) s.printJson({ instanceId, killed: stopped.accepted, requestId: stopped.requestId });
                else s.note(`emr-flow: asked EMR to kill ${instanceId} (was ${stopped.before.status}); follow it with: emr-flow wait ${instanceId} --project ${projectId}`);
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
            if (!s.json) s.note(`emr-flow: ${instanceId} is ${details?.status}`);
            result.code = EXIT.ok;
        });
}
