/**
 * The client against facts taken from Alibaba's SDK models and API pages (not from our own
 * emulator): which fields a node and a dependency carry, what the extra ListFlowInstance filters
 * are called on the wire, KillFlowJob and StartFlow, error bodies with lower-case keys and the
 * "not exists" wording, and the advice for an action the service does not offer. The answers
 * come from a scripted HTTP server on 127.0.0.1 through the real @alicloud/openapi-client.
 */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { EmrFlowClient } from "../../provider/client/emrFlowClient";
import { staticCredentials } from "../../provider/client/credentials";
import { EmrApiError, isNotFoundError } from "../../provider/client/errors";
import { isFailedNodeStatus, isFinalNodeStatus } from "../../provider/client/responses";

interface Seen {
    action: string;
    params: URLSearchParams;
}

async function withAnswers(answers: { status?: number; body: unknown }[], fn: (client: EmrFlowClient, seen: Seen[]) => Promise<void>): Promise<void> {
    const seen: Seen[] = [];
    const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://stub");
            seen.push({ action: String(req.headers["x-acs-action"] ?? url.searchParams.get("Action")), params: url.searchParams });
            const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
            res.statusCode = answer.status ?? 200;
            res.setHeader("content-type", "application/json;charset=utf-8");
            res.end(JSON.stringify(answer.body));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new EmrFlowClient(
        { regionId: "cn-hangzhou", endpoint, credentials: staticCredentials("AKIDFACTS", "facts-secret-1q2w3e", undefined, "explicit accessKeyId"), retry: { maxAttempts: 1 } },
        { sleep: async () => undefined, limiter: null },
    );
    try {
        await fn(client, seen);
    } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}

const REF = { projectId: "FP-7A1018ADE9179EE1", instanceId: "FI-7CAF9709CD328EBE" };

describe("EmrFlowClient and the SDK facts", () => {
    it("keeps the node fields of the SDK models: Type, MaxRetry and RetryInterval (strings on the wire), GmtCreate, GmtModified, ProjectId", async () => {
        // A node as in Alibaba's DescribeFlowInstance sample.
        const node = {
            FailAct: "STOP", Status: "OK", EndTime: 1540796248000, ClusterId: "C-F32FB31D82954C64", NodeName: "2f089966", ExternalId: "application_1540362938289_1858",
            JobName: "hive-test", GmtModified: 1540796247000, StartTime: 1540796237000, ProjectId: "FP-7A1018ADE9179EE1", Duration: 11000, MaxRetry: "3",
            ExternalStatus: "SUCCESS", Type: "JOB", GmtCreate: 1540796236000, JobType: "HIVE_SQL", ExternalInfo: "", Retries: 0, Id: "FNI-1286C1ED46C4577B",
            HostName: "", Pending: false, RetryInterval: "15", JobId: "FJ-C6C794219DE652B9",
        };
        await withAnswers([{ body: { RequestId: "R", Id: REF.instanceId, Status: "SUCCEEDED", NodeInstance: { NodeInstance: [node] } } }], async (client) => {
            const [n] = (await client.describeFlowInstance(REF)).nodes;
            assert.deepEqual(
                [n!.type, n!.maxRetry, n!.retryInterval, n!.gmtCreate, n!.gmtModified, n!.projectId, n!.externalStatus],
                ["JOB", 3, 15, 1540796236000, 1540796247000, "FP-7A1018ADE9179EE1", "SUCCESS"],
            );
        });
    });

    it("takes a dependency's parent from DependencyFlowId, not from the item's own FlowId, with DependencyInstanceId and Meet", async () => {
        const parentFlow = {
            BizDate: 1576080000000, DependencyFlowId: "F-96853646C4559D42", DependencyInstanceId: "FI-96853646C4559D42", FlowId: "F-96853646C4559D49",
            FlowInstanceId: REF.instanceId, Meet: true, ProjectId: REF.projectId, ScheduleKey: "20191212",
        };
        await withAnswers([{ body: { RequestId: "R", Id: REF.instanceId, Status: "PREP", DependencyFlowList: { ParentFlow: [parentFlow, { ...parentFlow, DependencyFlowId: "F-2", DependencyInstanceId: "", Meet: false }] } } }], async (client) => {
            const instance = await client.describeFlowInstance(REF);
            assert.deepEqual(instance.parentFlows, ["F-96853646C4559D42", "F-2"]);
            assert.deepEqual(instance.dependencies, [
                { flowId: "F-96853646C4559D42", instanceId: "FI-96853646C4559D42", met: true, bizDate: 1576080000000, scheduleKey: "20191212" },
                { flowId: "F-2", met: false, bizDate: 1576080000000, scheduleKey: "20191212" },
            ]);
        });
    });

    it("sends the ListFlowInstance filters FlowName, Owner and NodeInstanceId", async () => {
        await withAnswers([{ body: { RequestId: "R", Total: 0, PageNumber: 1, PageSize: 20, FlowInstances: { FlowInstance: [] } } }], async (client, seen) => {
            await client.listFlowInstances({ projectId: REF.projectId, flowName: "my_flow", owner: "1230404", nodeInstanceId: "FJI-54FEBB0631360000" });
            const p = seen[0]!.params;
            assert.deepEqual([p.get("FlowName"), p.get("Owner"), p.get("NodeInstanceId"), p.get("ProjectId")], ["my_flow", "1230404", "FJI-54FEBB0631360000", REF.projectId]);
        });
    });

    it("sends KillFlowJob with JobInstanceId and StartFlow with FlowInstanceId", async () => {
        await withAnswers([{ body: { RequestId: "R-KJ", Data: true } }, { body: { RequestId: "R-ST", Data: true } }], async (client, seen) => {
            assert.deepEqual(await client.killFlowJob({ projectId: REF.projectId, jobInstanceId: "FNI-1286C1ED46C4577B" }), { requestId: "R-KJ", accepted: true });
            assert.deepEqual(await client.startFlow(REF), { requestId: "R-ST", accepted: true });
            assert.deepEqual(seen.map((s) => s.action), ["KillFlowJob", "StartFlow"]);
            assert.deepEqual([seen[0]!.params.get("JobInstanceId"), seen[0]!.params.get("ProjectId"), seen[0]!.params.get("RegionId")], ["FNI-1286C1ED46C4577B", REF.projectId, "cn-hangzhou"]);
            assert.deepEqual([seen[1]!.params.get("FlowInstanceId"), seen[1]!.params.get("ProjectId")], [REF.instanceId, REF.projectId]);
        });
    });

    it("reads an error body with lower-case keys (code, message, requestId) and the 'not exists' wording", async () => {
        await withAnswers([{ status: 404, body: { code: "EMR.FlowInstance.NotFound", message: "flow instance not exists", requestId: "R-LOWER" } }], async (client) => {
            const err = await client.describeFlowInstance(REF).catch((e: unknown) => e);
            assert.ok(EmrApiError.isInstance(err), String(err));
            assert.deepEqual([err.code, err.apiMessage, err.requestId, err.statusCode], ["EMR.FlowInstance.NotFound", "flow instance not exists", "R-LOWER", 404]);
            assert.equal(isNotFoundError(err), true);
        });
        // The wording alone decides when the code is generic.
        await withAnswers([{ status: 400, body: { code: "InvalidParameter", message: "The flow instance does not exists.", requestId: "R-2" } }], async (client) => {
            assert.equal(isNotFoundError(await client.describeFlowInstance(REF).catch((e: unknown) => e)), true);
        });
        await withAnswers([{ status: 400, body: { code: "InvalidParameter", message: "ProjectId existsn't valid", requestId: "R-3" } }], async (client) => {
            assert.equal(isNotFoundError(await client.describeFlowInstance(REF).catch((e: unknown) => e)), false);
        });
    });

    it("advises on an action the service does not offer without blaming the IDs, and does not call it a missing instance", async () => {
        await withAnswers([{ status: 404, body: { RequestId: "R-NA", HostId: "emr.aliyuncs.com", Code: "InvalidAction.NotFound", Message: "Specified api is not found, please check your url and method." } }], async (client) => {
            const err = await client.killFlow(REF).catch((e: unknown) => e);
            assert.ok(EmrApiError.isInstance(err), String(err));
            assert.equal(err.code, "InvalidAction.NotFound");
            assert.match(err.message, /does not offer KillFlow/);
            assert.match(err.message, /No project, flow or instance ID is at fault/);
            assert.doesNotMatch(err.message, /check that the project, flow or instance exists/i);
            assert.equal(isNotFoundError(err), false);
            assert.equal(err.retryable, false);
        });
    });

    it("knows both documented spellings of a failed node", () => {
        for (const status of ["FAILED", "FAIL", "KILL_FAILED", "KILL_FAIL"]) {
            assert.ok(isFailedNodeStatus(status), status);
            assert.ok(isFinalNodeStatus(status), status);
        }
        assert.ok(isFinalNodeStatus("KILL_SUCCESS") && isFinalNodeStatus("SUCCESS"));
        assert.ok(!isFinalNodeStatus("RUNNING") && !isFinalNodeStatus("SUBMITTED") && !isFailedNodeStatus("SUCCESS"));
    });
});
