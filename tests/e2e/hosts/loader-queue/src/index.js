// /burst?n=N: N calls at once to one named dynamic Worker, which reports the most requests it
// ever had running together. /get?name=X: one call to named Worker X (on LOADER, or on SHARED
// with &shared=1); the answer counts this host instance's getCode calls.
const counter = {
  compatibilityDate: "2025-06-01",
  mainModule: "a.js",
  modules: {
    "a.js": `
      let active = 0, most = 0;
      export default {
        async fetch() {
          active++;
          most = Math.max(most, active);
          await new Promise((ok) => setTimeout(ok, 20));
          active--;
          return new Response(String(most));
        },
      };`,
  },
};

let getCodeCalls = 0;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = url.searchParams;
    if (url.pathname === "/burst") {
      const stub = env.LOADER.get("burst", () => counter);
      const n = Number(q.get("n"));
      const answers = await Promise.all(
        Array.from({ length: n }, () => stub.getEntrypoint().fetch("http://dyn/").then((r) => r.text())));
      return new Response(`most=${Math.max(...answers.map(Number))} answered=${answers.length}`);
    }
    if (url.pathname === "/get") {
      const loader = q.get("shared") ? env.SHARED : env.LOADER;
      const stub = loader.get(q.get("name"), () => {
        getCodeCalls++;
        return counter;
      });
      await (await stub.getEntrypoint().fetch("http://dyn/")).text();
      return new Response(`getCode=${getCodeCalls}`);
    }
    return new Response("queue host");
  },
};
