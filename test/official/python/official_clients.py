"""Drives Alibaba's official Python SDKs for Emr 2016-04-08 against an endpoint on 127.0.0.1.

Usage: official_clients.py <client> <config-json>
  client: tea-v3 (alibabacloud-emr20160408, default ACS3-HMAC-SHA256 signing),
          tea-v2 (the same with signature_algorithm="v2": RPC HMAC-SHA1),
          core   (aliyun-python-sdk-emr on aliyun-python-sdk-core: RPC HMAC-SHA1).
  config: {"port", "accessKeyId", "accessKeySecret", "regionId", "projectId", "failOnceFlowId", "childFlowId"}

Runs SubmitFlow, DescribeFlowInstance, ListFlowInstance and RerunFlow with the SDK's own request
classes, reads the answers with the SDK's own response models (the Tea SDK; the core SDK has none
and returns raw JSON), and prints one JSON object with what it read. Only loopback is contacted.
"""
import json
import sys
import time


def versions():
    from importlib.metadata import version
    return {name: version(name) for name in ("alibabacloud-emr20160408", "alibabacloud-tea-openapi", "aliyun-python-sdk-emr", "aliyun-python-sdk-core")}


def wait_until(describe, done, tries=200):
    for _ in range(tries):
        body = describe()
        if done(body):
            return body
        time.sleep(0.05)
    return body


def run_tea(cfg, algorithm):
    from alibabacloud_tea_openapi import models as open_api_models
    from alibabacloud_emr20160408.client import Client
    from alibabacloud_emr20160408 import models as m

    def client(secret):
        config = open_api_models.Config(access_key_id=cfg["accessKeyId"], access_key_secret=secret, region_id=cfg["regionId"],
                                        endpoint="127.0.0.1:%d" % cfg["port"], protocol="http")
        if algorithm == "v2":
            config.signature_algorithm = "v2"
        return Client(config)

    c = client(cfg["accessKeySecret"])
    region, project = cfg["regionId"], cfg["projectId"]
    out = {"versions": versions()}

    parent = c.submit_flow(m.SubmitFlowRequest(project_id=project, flow_id=cfg["failOnceFlowId"], conf='{"cyctime":"1542783967503"}', region_id=region))
    assert isinstance(parent.body, m.SubmitFlowResponseBody)
    out["submit"] = {"status": parent.status_code, "id": parent.body.id, "requestId": parent.body.request_id}
    pid = parent.body.id

    describe = lambda iid: c.describe_flow_instance(m.DescribeFlowInstanceRequest(id=iid, project_id=project, region_id=region)).body
    failed = wait_until(lambda: describe(pid), lambda b: b.status in ("SUCCEEDED", "FAILED", "KILLED"))
    assert isinstance(failed, m.DescribeFlowInstanceResponseBody)
    out["describe"] = {
        "id": failed.id, "status": failed.status, "scheduleTime": failed.schedule_time, "hasNodeFailed": failed.has_node_failed,
        "nodes": [{"id": n.id, "name": n.node_name, "type": n.type, "status": n.status, "externalStatus": n.external_status,
                   "maxRetry": n.max_retry, "retryInterval": n.retry_interval, "projectId": n.project_id, "gmtCreate": n.gmt_create}
                  for n in failed.node_instance.node_instance],
    }

    child = c.submit_flow(m.SubmitFlowRequest(project_id=project, flow_id=cfg["childFlowId"], region_id=region)).body.id
    parents = describe(child).dependency_flow_list.parent_flow
    out["dependencies"] = [{"dependencyFlowId": p.dependency_flow_id, "dependencyInstanceId": p.dependency_instance_id, "meet": p.meet,
                            "flowId": p.flow_id, "flowInstanceId": p.flow_instance_id} for p in parents]

    listed = c.list_flow_instance(m.ListFlowInstanceRequest(project_id=project, status_list=["FAILED"], page_size=10, region_id=region)).body
    assert isinstance(listed, m.ListFlowInstanceResponseBody)
    out["list"] = {"total": listed.total, "pageSize": listed.page_size, "ids": [f.id for f in listed.flow_instances.flow_instance],
                   "statuses": [f.status for f in listed.flow_instances.flow_instance]}

    rerun = c.rerun_flow(m.RerunFlowRequest(flow_instance_id=pid, project_id=project, re_run_fail=True, region_id=region)).body
    assert isinstance(rerun, m.RerunFlowResponseBody)
    out["rerun"] = {"data": rerun.data}
    out["afterRerun"] = wait_until(lambda: describe(pid), lambda b: b.status in ("SUCCEEDED", "FAILED", "KILLED")).status

    try:
        client("not-the-secret").submit_flow(m.SubmitFlowRequest(project_id=project, flow_id=cfg["failOnceFlowId"], region_id=region))
        out["wrongSecret"] = "accepted"
    except Exception as e:  # the SDK's ClientException
        out["wrongSecret"] = getattr(e, "code", type(e).__name__)
    return out


def run_core(cfg):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkemr.request.v20160408.SubmitFlowRequest import SubmitFlowRequest
    from aliyunsdkemr.request.v20160408.DescribeFlowInstanceRequest import DescribeFlowInstanceRequest
    from aliyunsdkemr.request.v20160408.ListFlowInstanceRequest import ListFlowInstanceRequest
    from aliyunsdkemr.request.v20160408.RerunFlowRequest import RerunFlowRequest

    endpoint = "127.0.0.1:%d" % cfg["port"]
    project = cfg["projectId"]

    def call(client, req):
        req.set_endpoint(endpoint)
        req.set_protocol_type("http")
        return json.loads(client.do_action_with_exception(req))

    c = AcsClient(cfg["accessKeyId"], cfg["accessKeySecret"], cfg["regionId"])
    out = {"versions": versions()}

    req = SubmitFlowRequest()
    req.set_ProjectId(project)
    req.set_FlowId(cfg["failOnceFlowId"])
    req.set_Conf('{"cyctime":"1542783967503"}')
    submitted = call(c, req)
    out["submit"] = {"status": 200, "id": submitted["Id"], "requestId": submitted["RequestId"], "method": req.get_method()}
    pid = submitted["Id"]

    def describe(iid):
        r = DescribeFlowInstanceRequest()
        r.set_Id(iid)
        r.set_ProjectId(project)
        return call(c, r)

    failed = wait_until(lambda: describe(pid), lambda b: b["Status"] in ("SUCCEEDED", "FAILED", "KILLED"))
    out["describe"] = {
        "id": failed["Id"], "status": failed["Status"], "scheduleTime": failed["ScheduleTime"], "hasNodeFailed": failed["HasNodeFailed"],
        "nodes": [{"id": n["Id"], "name": n["NodeName"], "type": n["Type"], "status": n["Status"], "externalStatus": n["ExternalStatus"],
                   "maxRetry": n["MaxRetry"], "retryInterval": n["RetryInterval"], "projectId": n["ProjectId"], "gmtCreate": n["GmtCreate"]}
                  for n in failed["NodeInstance"]["NodeInstance"]],
    }

    req = SubmitFlowRequest()
    req.set_ProjectId(project)
    req.set_FlowId(cfg["childFlowId"])
    child = call(c, req)["Id"]
    out["dependencies"] = [{"dependencyFlowId": p["DependencyFlowId"], "dependencyInstanceId": p.get("DependencyInstanceId"), "meet": p["Meet"],
                            "flowId": p["FlowId"], "flowInstanceId": p["FlowInstanceId"]} for p in describe(child)["DependencyFlowList"]["ParentFlow"]]

    req = ListFlowInstanceRequest()
    req.set_ProjectId(project)
    req.set_StatusLists(["FAILED"])
    req.set_PageSize(10)
    listed = call(c, req)
    items = listed["FlowInstances"]["FlowInstance"]
    out["list"] = {"total": listed["Total"], "pageSize": listed["PageSize"], "ids": [f["Id"] for f in items], "statuses": [f["Status"] for f in items]}

    req = RerunFlowRequest()
    req.set_FlowInstanceId(pid)
    req.set_ProjectId(project)
    req.set_ReRunFail(True)
    out["rerun"] = {"data": call(c, req)["Data"]}
    out["afterRerun"] = wait_until(lambda: describe(pid), lambda b: b["Status"] in ("SUCCEEDED", "FAILED", "KILLED"))["Status"]

    # KillFlow is not in aliyun-python-sdk-emr since 3.3.0; a CommonRequest can still name it.
    kill = CommonRequest(domain=endpoint, version="2016-04-08", action_name="KillFlow")
    kill.set_protocol_type("http")
    kill.set_method("POST")
    kill.add_query_param("ProjectId", project)
    kill.add_query_param("FlowInstanceId", child)
    try:
        c.do_action_with_exception(kill)
        out["killFlow"] = "accepted"
    except ServerException as e:
        out["killFlow"] = {"code": e.get_error_code(), "status": e.get_http_status()}

    try:
        req = SubmitFlowRequest()
        req.set_ProjectId(project)
        req.set_FlowId(cfg["failOnceFlowId"])
        call(AcsClient(cfg["accessKeyId"], "not-the-secret", cfg["regionId"]), req)
        out["wrongSecret"] = "accepted"
    except ServerException as e:
        out["wrongSecret"] = e.get_error_code()
    return out


def main():
    which, cfg = sys.argv[1], json.loads(sys.argv[2])
    if which == "core":
        result = run_core(cfg)
    elif which in ("tea-v3", "tea-v2"):
        result = run_tea(cfg, which[-2:])
    else:
        raise SystemExit("unknown client " + which)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
