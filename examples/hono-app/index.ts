// A Hono app, unmodified Workers code: routing, path params, middleware, JSON bodies, streaming.
// Bundle it with esbuild (see examples/README.md) and run it with `wisp run` or `wisp serve`.
import { Hono } from "hono";
import { streamText } from "hono/streaming";

type Bindings = { GREETING?: string };

const app = new Hono<{ Bindings: Bindings }>();

// Middleware: every response says which route answered.
app.use("*", async (c, next) => {
  await next();
  c.header("x-route", c.req.routePath);
});

app.get("/", (c) => c.text(`${c.env?.GREETING ?? "hello"} from hono`));

app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), tab: c.req.query("tab") ?? null }));

app.post("/echo", async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  return c.json({ received: body, length: Object.keys(body).length }, 201);
});

app.get("/stream", (c) =>
  streamText(c, async (stream) => {
    for (const word of ["one", "two", "three"]) await stream.write(`${word}\n`);
  }));

app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));

export default app;
