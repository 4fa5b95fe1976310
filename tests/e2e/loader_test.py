#!/usr/bin/env python3
"""The Worker Loader binding (env.LOADER) end to end: `wisp serve` runs tests/e2e/hosts/loader, a
host Worker written as for Cloudflare, and every route's answer is checked exactly."""
import json
import os
import sys
import time

from wisp_server import Cases, Server

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
cases = Cases()
case = cases.case


host = Server(WISP, os.path.join(HERE, "hosts/loader"))
GREETER = ('"env":{"SECRET":"s3"},"props":%s,"count":%d,"text":"hi there","config":{"a":[1,2]},"data":[1,2,3]}')


def expect(path, want):
    status, body = host.get(path)
    assert status == 200 and body == want, f"{path}: {status} {body!r}\n  wanted {want!r}"


@case
def host_answers():
    expect("/", "host ok")


@case
def get_loads_once_and_reuses_the_worker_by_name():
    expect("/get?name=a", '201 yes dyn:{"method":"GET","path":"/hello","body":"",' + GREETER % ("{}", 1))
    expect("/get?name=a", '201 yes dyn:{"method":"GET","path":"/hello","body":"",' + GREETER % ("{}", 2))
    expect("/calls", "1")
    expect("/get?name=b", '201 yes dyn:{"method":"GET","path":"/hello","body":"",' + GREETER % ("{}", 1))
    expect("/calls", "2")


@case
def load_posts_a_body_with_props_to_a_fresh_worker():
    for _ in range(2):
        expect("/post", '201 yes dyn:{"method":"POST","path":"/submit","body":"payload",' +
               GREETER % ('{"user":"ada"}', 1))


@case
def named_worker_entrypoint_class_gets_props_and_env():
    expect("/named", '200 null {"admin":true,"props":{"role":"root"},"env":{"SECRET":"s3"}}')


@case
def named_plain_object_entrypoint():
    expect("/plain", "200 null plain bob")


@case
def requests_wait_for_getcode_which_runs_once():
    expect("/concurrent", "calls=1 counts=1,2,3")


@case
def getcode_rejection_reaches_every_call():
    expect("/get-code-rejects", "error Error: Code loader failed! | error Error: Code loader failed!")


@case
def bad_module_type_rejects_the_request_for_get():
    expect("/bad-module-get", "error TypeError: Module name must end with '.js' or '.py' (or the content must be "
                              "an object indicating the type explicitly). Got: main.txt")


@case
def bad_module_throws_synchronously_for_load():
    expect("/bad-module-load", "threw TypeError: Each module must contain exactly one of 'js', 'cjs', 'text', "
                               "'data', 'json', 'py', or 'wasm'. Module 'a.js' contained 2 properties.")


@case
def compatibility_date_is_required():
    expect("/no-date", "threw Error: Invalid compatibility date: undefined")


@case
def env_is_limited_to_one_mib():
    expect("/env-too-big", "threw Error: Dynamic Worker env size (1048590 bytes) exceeds the maximum allowed "
                           "size of 1048576 bytes.")


STARTUP_THROW = "error Error: Failed to start Worker:\nUncaught RangeError: boom at startup\n  at a.js:1:7"


@case
def top_level_throw_reaches_every_call():
    expect("/top-level-throw", STARTUP_THROW + " | " + STARTUP_THROW)


@case
def an_exception_in_the_dynamic_worker_rejects_the_call():
    expect("/dynamic-throws", "error TypeError: nope")


NOT_A_HANDLER = ("error Error: Failed to start Worker:\nUncaught TypeError: Incorrect type for map entry 'x': the "
                 "provided value is not of type 'function or ExportedHandler'.")


@case
def an_export_that_is_no_handler_stops_the_worker_from_starting():
    expect("/missing-entrypoint", NOT_A_HANDLER + " | " + NOT_A_HANDLER)


@case
def cpu_breach_fails_the_call_reloads_and_the_host_keeps_answering():
    expect("/cpu", "error Error: Worker exceeded CPU time limit. | 200 null alive")
    expect("/", "host ok")
    expect("/get?name=a", '201 yes dyn:{"method":"GET","path":"/hello","body":"",' + GREETER % ("{}", 3))


@case
def a_stub_kept_across_requests_keeps_working():
    expect("/kept", "200 null plain kept")
    expect("/kept", "200 null plain kept")


@case
def getentrypoint_limits_lower_the_cpu_budget():
    t = time.time()
    expect("/entrypoint-limits", "error Error: Worker exceeded CPU time limit.")
    assert time.time() - t < 0.8, "the server's 1000 ms budget was used instead of 30 ms"
    expect("/", "host ok")


@case
def sigterm_drains_and_exits_cleanly():
    assert host.stop() == 0


@case
def named_workers_beyond_the_cache_size_are_unloaded_and_reloaded():
    small = Server(WISP, os.path.join(HERE, "hosts/loader-small"))
    try:
        for name in ["a", "b", "c"]:
            assert small.get(f"/get?name={name}")[0] == 200
        assert small.get("/calls") == (200, "3")
        assert small.get("/get?name=c")[0] == 200  # still loaded
        assert small.get("/calls") == (200, "3")
        assert small.get("/get?name=a")[0] == 200  # the least recently used: unloaded, getCode again
        assert small.get("/calls") == (200, "4")
    finally:
        small.stop()


@case
def idle_named_workers_expire():
    small = Server(WISP, os.path.join(HERE, "hosts/loader-small"))
    try:
        assert small.get("/get?name=x")[0] == 200
        assert small.get("/get?name=x")[0] == 200
        assert small.get("/calls") == (200, "1")
        time.sleep(0.8)  # idleSeconds is 0.3
        assert small.get("/get?name=x")[0] == 200
        assert small.get("/calls") == (200, "2")
    finally:
        small.stop()


@case
def tails_get_one_event_per_invocation_with_logs_outcome_and_props():
    tails = Server(WISP, os.path.join(HERE, "hosts/loader-tails"))
    try:
        assert tails.get("/ok") == (202, "child ran")
        assert tails.get("/boom") == (500, "child failed: kaboom")
        assert tails.get("/spin") == (500, "child failed: Worker exceeded CPU time limit.")
        status, body = tails.get("/events")
        assert status == 200, (status, body)
        events = json.loads(body)
        assert [e["outcome"] for e in events] == ["ok", "exception", "exceededCpu"], events
        ok, boom, spin = events
        assert ok["tailProps"] == {"workerId": "child"}, ok
        assert ok["event"]["request"]["url"] == "https://child/ok" and ok["event"]["response"] == {"status": 202}, ok
        assert [(l["level"], l["message"]) for l in ok["logs"]] == [("log", ["hello from /ok"]), ("warn", ["careful"])], ok
        assert ok["exceptions"] == [] and ok["executionModel"] == "stateless", ok
        assert [(x["name"], x["message"]) for x in boom["exceptions"]] == [("Error", "kaboom")], boom
        assert spin["exceptions"][0]["message"] == "Worker exceeded CPU time limit.", spin
        # A failed call's event carries what was logged before the failure.
        for event, path in ((boom, "/boom"), (spin, "/spin")):
            assert [(l["level"], l["message"]) for l in event["logs"]] == [("log", ["hello from " + path]),
                                                                           ("warn", ["careful"])], event
            assert event["event"].get("response") is None and event["cpuTime"] >= 0, event
        # ctx.exports.default is a loopback to the host itself.
        assert tails.get("/loopback") == (200, body)
    finally:
        tails.stop()


cases.report(host)
