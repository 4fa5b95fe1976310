// Routes for tests/e2e/streaming_test.py: each streams a body in or out as a Worker would.
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      // The request body piped back through a TransformStream, chunk by chunk.
      case "/echo":
        return new Response(request.body.pipeThrough(new TransformStream()));

      // The whole request body, read with text() (the body is streamed in, not handed over whole).
      case "/length":
        return new Response(String((await request.arrayBuffer()).byteLength));

      // A FixedLengthStream's readable: its length is known before the bytes are written.
      case "/fixed-length": {
        const { readable, writable } = new FixedLengthStream(11);
        const writer = writable.getWriter();
        writer.write(new TextEncoder().encode("hello "));
        writer.write(new TextEncoder().encode("world")).then(() => writer.close());
        return new Response(readable);
      }

      // `?count` chunks written after the Response is returned, 50 ms apart, then closed.
      case "/slow": {
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        const count = Number(url.searchParams.get("count") ?? 3);
        const encoder = new TextEncoder();
        (async () => {
          for (let i = 0; i < count; i++) {
            await writer.write(encoder.encode(`chunk ${i}\n`));
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await writer.close();
        })();
        return new Response(readable, { headers: { "content-type": "text/plain" } });
      }

      // Writes "first", then reads the request body to its end (the client sends the rest only
      // once it has "first"), then writes "last": the first chunk must reach the client while
      // the Worker is still writing.
      case "/first-then-last": {
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        const encoder = new TextEncoder();
        (async () => {
          await writer.write(encoder.encode("first\n"));
          const rest = await request.text();
          await writer.write(encoder.encode(`last after ${rest}\n`));
          await writer.close();
        })();
        return new Response(readable);
      }

      // An endless stream; the client leaves midway and cancel() logs why.
      case "/endless": {
        const tag = url.searchParams.get("tag");
        const chunk = new Uint8Array(64 * 1024).fill(120);
        return new Response(new ReadableStream({
          pull(controller) {
            controller.enqueue(chunk.slice());
            return new Promise((resolve) => setTimeout(resolve, 1));
          },
          cancel(reason) {
            console.log(`cancelled ${tag}: ${reason}`);
          },
        }));
      }

      // A stream that fails after its first chunk: the client sees the connection cut.
      case "/fails": {
        let sent = false;
        return new Response(new ReadableStream({
          pull(controller) {
            if (!sent) {
              sent = true;
              controller.enqueue(new TextEncoder().encode("partial"));
              return;
            }
            controller.error(new Error("stream broke on purpose"));
          },
        }), { headers: { "content-type": "text/plain" } });
      }

      // A stream whose writer is never closed and that nothing will write to again.
      case "/hangs": {
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        writer.write(new TextEncoder().encode("only chunk"));
        return new Response(readable);
      }

      // Reads the body and reports how that went (a body over the limit fails the read).
      case "/read-report": {
        console.log(`read-report ${url.searchParams.get("tag")}`);
        try {
          const n = (await request.arrayBuffer()).byteLength;
          return new Response(`read ${n}`);
        } catch (e) {
          console.log(`read failed: ${e.name}: ${e.message}`);
          throw e;
        }
      }

      // fetch() with a ReadableStream body written over time: sent (chunked) as it is written.
      case "/upload": {
        const encoder = new TextEncoder();
        let i = 0;
        const body = new ReadableStream({
          async pull(controller) {
            if (i === 3) return controller.close();
            await new Promise((resolve) => setTimeout(resolve, 20));
            controller.enqueue(encoder.encode(`part ${i++};`));
          },
        });
        const r = await fetch(url.searchParams.get("origin") + "/sink", { method: "POST", body });
        return new Response(r.body, { headers: { "content-type": "application/json" } });
      }

      // The incoming body forwarded to the origin as it arrives: as a stream (chunked), or by
      // building the outgoing Request from the incoming one (its Content-Length kept).
      case "/forward": {
        const r = await fetch(url.searchParams.get("origin") + "/sink", { method: "PUT", body: request.body });
        return new Response(r.body);
      }
      case "/forward-request": {
        return fetch(new Request(url.searchParams.get("origin") + "/sink", request));
      }

      // A redirect cannot resend a body that was a stream.
      case "/upload-redirected": {
        const body = new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode("once"));
            controller.close();
          },
        });
        try {
          await fetch(url.searchParams.get("origin") + "/redirect307", { method: "POST", body });
          return new Response("no error");
        } catch (e) {
          return new Response(`${e.name}: ${e.message}`);
        }
      }
    }
    return new Response("ok");
  },
};
