// The real @cloudflare/codemode package (an npm devDependency), unmodified: tests/e2e/codemode_test.py
// bundles this file with esbuild, as a user deploying to Cloudflare would, and serves it on wisp.
// POST { code } runs the code with codemode's own DynamicWorkerExecutor and answers with its result.
import { DynamicWorkerExecutor } from "@cloudflare/codemode";

export default {
  async fetch(request, env) {
    const { code } = await request.json();
    const executor = new DynamicWorkerExecutor({ loader: env.LOADER });
    const out = await executor.execute(code, [
      { name: "codemode", fns: { add: async ({ a, b }) => a + b } },
      { name: "text", fns: { upper: async ({ s }) => s.toUpperCase() } },
    ]);
    return Response.json(out);
  },
};
