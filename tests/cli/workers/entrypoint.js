import { WorkerEntrypoint } from "cloudflare:workers";
export class Api extends WorkerEntrypoint {
  fetch(request) {
    return new Response("named entrypoint " + new URL(request.url).pathname);
  }
}
export default class extends WorkerEntrypoint {
  async fetch() {
    return new Response("class default");
  }
}
