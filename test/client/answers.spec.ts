/**
 * What an answer proves, where Alibaba's documents leave it open: which error answers prove that a
 * SubmitFlow was not carried out, which are throttling, and a list answer without its list.
 */
import { strict as assert } from "assert";
import { answerProvesNotAccepted, isRetryableCode, isThrottlingAnswer } from "../../provider/client/classify";
import { EmrApiError, EmrResponseError, isInstanceNotFoundError } from "../../provider/client/errors";
import { parseListFlowInstance } from "../../provider/client/responses";

describe("answerProvesNotAccepted", () => {
    it("throttling under any status proves the request was not carried out", () => {
        for (const code of ["Throttling", "Throttling.User", "Throttling.Api", "ThrottlingException", "Throttling.Concurrency"]) {
            for (const status of [400, 429, 503]) {
                assert.ok(answerProvesNotAccepted(code, status), `${code} ${status}`);
                assert.ok(isThrottlingAnswer(code, status));
                assert.ok(isRetryableCode(code, status));
            }
        }
        // 429 is throttling whatever the code.
        assert.ok(answerProvesNotAccepted("ServiceUnavailable", 429));
        assert.ok(isRetryableCode("SomethingElse", 429));
    });

    it("a request the service rejected (4xx) proves it too", () => {
        for (const [code, status] of [["InvalidParameter", 400], ["SignatureDoesNotMatch", 400], ["InvalidAccessKeyId.NotFound", 404], ["EMR.Project.NotFound", 404], ["Forbidden.RAM", 403], ["SignatureNonceUsed", 400]] as const) {
            assert.ok(answerProvesNotAccepted(code, status), `${code} ${status}`);
        }
    });

    it("a 5xx, a server-failure code under any status, a 408, or no status proves nothing", () => {
        for (const [code, status] of [["InternalError", 500], ["ServiceUnavailable", 503], ["ServiceUnavailable", 400], ["InternalError", 400], ["SomeNewBackendError", 502], ["Gateway", 504], ["RequestTimeout", 408], ["Whatever", undefined]] as const) {
            assert.equal(answerProvesNotAccepted(code, status), false, `${code} ${status}`);
        }
    });
});

describe("parseListFlowInstance: a list answer without its list", () => {
    const ctx = { action: "ListFlowInstance" };
    for (const [name, body] of [
        ["no FlowInstances, Total 1", { RequestId: "R1", Total: 1 }],
        ["no FlowInstances and no Total", { RequestId: "R2" }],
        ["a wrapper without its list", { RequestId: "R3", Total: 2, FlowInstances: {} }],
        ["an empty string for the list, Total 1", { RequestId: "R4", Total: 1, FlowInstances: "" }],
    ] as const) {
        it(`is an error, not an empty list: ${name}`, () => {
            assert.throws(
                () => parseListFlowInstance(body, ctx),
                (e: unknown) => EmrResponseError.isInstance(e) && e.code === "UnexpectedResponse" && /without its list/.test(e.message) && e.requestId === body.RequestId,
            );
        });
    }

    it("is an empty list when Total is 0", () => {
        assert.deepEqual(parseListFlowInstance({ RequestId: "R", Total: 0 }, ctx).instances, []);
        assert.deepEqual(parseListFlowInstance({ RequestId: "R", Total: 0, FlowInstances: { FlowInstance: [] } }, ctx).instances, []);
    });

    it("says whether Total was given", () => {
        const list = { FlowInstance: [{ Id: "FI-1", Status: "RUNNING" }] };
        assert.deepEqual([parseListFlowInstance({ Total: 5, FlowInstances: list }, ctx).totalReported, parseListFlowInstance({ FlowInstances: list }, ctx).totalReported], [true, false]);
    });
});

describe("isInstanceNotFoundError: the only answer on which a run may be forgotten", () => {
    const api = (status: number, code: string, apiMessage?: string) => new EmrApiError(code, `EMR DescribeFlowInstance failed with ${code}`, { statusCode: status, apiMessage });

    it("is true for a code or a message that says the instance does not exist", () => {
        assert.ok(isInstanceNotFoundError(api(404, "EMR.FlowInstance.NotFound", "flow instance not exist")));
        assert.ok(isInstanceNotFoundError(api(400, "FlowInstance.NotExist")));
        assert.ok(isInstanceNotFoundError(api(400, "InvalidParameter", "The flow instance does not exist.")));
    });

    it("is false for a project not found, an unknown AccessKey, a refusal, another API's 404, a 5xx, or anything not an answer", () => {
        assert.equal(isInstanceNotFoundError(api(404, "EMR.Project.NotFound", "project not exist")), false);
        assert.equal(isInstanceNotFoundError(api(400, "InvalidParameter", "project not exist")), false);
        assert.equal(isInstanceNotFoundError(api(400, "InvalidParameter", "instance of project FP-1 not found")), false);
        assert.equal(isInstanceNotFoundError(api(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")), false);
        assert.equal(isInstanceNotFoundError(api(403, "Forbidden.RAM")), false);
        assert.equal(isInstanceNotFoundError(api(404, "InvalidAction.NotFound", "Specified api is not found")), false);
        assert.equal(isInstanceNotFoundError(api(404, "NotFound")), false, "a bare 404 names nothing");
        assert.equal(isInstanceNotFoundError(api(503, "FlowInstance.NotFound")), false);
        assert.equal(isInstanceNotFoundError(new EmrResponseError("NonJsonResponse", "HTML 404", { statusCode: 404 })), false);
        assert.equal(isInstanceNotFoundError(new Error("flow instance not exist")), false);
    });
});
