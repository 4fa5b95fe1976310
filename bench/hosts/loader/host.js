// The host Worker of bench/loader-bench.py, run unchanged on workerd and on wisp. Each request
// asks env.LOADER for the dynamic Worker named by ?id= and forwards to it: a new id is a cold
// create (getCode, a new isolate, compile, first request), a known id a warm call.
//   GET /?id=X     forward to Worker X
//   GET /getcode   how many times getCode ran in this host instance
let getCodeCalls = 0;

// A small but real dynamic Worker: it parses the URL and answers JSON.
const code = {
  compatibilityDate: "2025-06-01",
  mainModule: "worker.js",
  modules: {
    "worker.js": `
      let served = 0;
      export default {
        fetch(request) {
          const id = new URL(request.url).searchParams.get("id");
          return new Response(JSON.stringify({ id, served: ++served }), {
            headers: { "content-type": "application/json" },
          });
        },
      };`,
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/getcode") return new Response(String(getCodeCalls));
    const id = url.searchParams.get("id");
    const worker = env.LOADER.get(id, () => {
      getCodeCalls++;
      return code;
    });
    return worker.getEntrypoint().fetch(`https://dynamic.example/?id=${encodeURIComponent(id)}`);
  },
};
