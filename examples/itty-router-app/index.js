// An itty-router app, unmodified Workers code: AutoRouter with params, JSON and error handling.
import { AutoRouter, error } from "itty-router";

const router = AutoRouter();

router
  .get("/", () => "hello from itty-router")
  .get("/items/:id", ({ params, query }) => ({ id: Number(params.id), sort: query.sort ?? "none" }))
  .post("/items", async (request) => {
    const item = await request.json();
    if (!item.name) return error(400, "an item needs a name");
    return new Response(JSON.stringify({ created: item.name }), {
      status: 201,
      headers: { "content-type": "application/json" },
    });
  })
  .get("/boom", () => {
    throw new Error("handler failed");
  });

export default { ...router };
