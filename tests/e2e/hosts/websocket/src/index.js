// WebSockets served with WebSocketPair (tests/e2e/websocket_test.py):
//   /echo?id=X    echoes every message with its type; "close-me" makes the Worker close (4001);
//                 "count" answers how many messages this socket got; "flood" sends 40 MiB at
//                 once; what closed it is kept
//   /greet?id=X   sends the request's Upgrade header before the handshake is even answered
//   /refuse       answers the upgrade with a plain 400
//   /state        what each socket's close event said: {id: {code, reason, wasClean}}
//   /hello        plain HTTP
const closes = {};

function serve(request, id, greeting) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  let count = 0;
  server.addEventListener("message", (event) => {
    count++;
    if (event.data === "close-me") return server.close(4001, "worker says bye");
    if (event.data === "count") return server.send(String(count));
    // 40 MiB at once: more than the server keeps for a client that has not read it yet.
    if (event.data === "flood") {
      for (let i = 0; i < 40; i++) server.send(new Uint8Array(1 << 20));
      return;
    }
    server.send(event.data);
  });
  server.addEventListener("close", (event) => {
    closes[id] = { code: event.code, reason: event.reason, wasClean: event.wasClean };
  });
  server.addEventListener("error", (event) => {
    closes[id] = { error: String(event.message) };
  });
  if (greeting !== undefined) server.send(greeting);
  // The first subprotocol the client offers, if any.
  const offered = request.headers.get("Sec-WebSocket-Protocol");
  const headers = offered ? { "Sec-WebSocket-Protocol": offered.split(",")[0].trim() } : {};
  return new Response(null, { status: 101, webSocket: client, headers });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const id = url.searchParams.get("id") ?? "anonymous";
    const upgrade = request.headers.get("Upgrade");
    if (url.pathname === "/state") return Response.json(closes);
    if (url.pathname === "/hello") return new Response("hello");
    if (upgrade !== "websocket") return new Response("Expected Upgrade: websocket", { status: 426 });
    if (url.pathname === "/echo") return serve(request, id);
    if (url.pathname === "/greet") return serve(request, id, `upgrade: ${upgrade}`);
    if (url.pathname === "/refuse") return new Response("no sockets here", { status: 400 });
    return new Response("not found", { status: 404 });
  },
};
