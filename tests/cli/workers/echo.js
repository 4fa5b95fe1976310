// Echoes the request back as JSON; logs at two levels.
export default {
  async fetch(request, env, ctx) {
    console.log("method", request.method);
    console.warn("careful");
    ctx.waitUntil(new Promise((done) => setTimeout(done, 20)).then(() => console.log("after response")));
    return Response.json({
      method: request.method,
      url: request.url,
      header: request.headers.get("x-test"),
      body: await request.text(),
    });
  },
};
