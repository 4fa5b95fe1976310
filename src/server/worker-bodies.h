// Bodies between the HTTP server and a Worker, streamed both ways (io::BodySource): the request
// body is read from the socket only as the Worker reads it, and a streamed response body is
// written as the Worker produces it, each piece asked for only once the socket has taken the
// last. Neither is ever held whole.
#pragma once

#include <memory>

#include "io/http.h"
#include "server/http-server.h"

namespace wisp::server {

// Gives `out` the request's body: a source the Worker reads from the socket as it goes, or the
// bytes themselves when all of them arrived with the head (nothing to wait for: a small request
// then costs no reads). Read errors (413 past maxBodyBytes, a malformed chunk, the client gone)
// reach the Worker as TypeErrors; the server has already answered the client where it could.
void attachRequestBody(const Request& request, io::HttpRequest& out);

// Sends a Worker's response. A byte body goes out whole with its Content-Length; a body stream
// goes out as it comes (with a Content-Length when its length is known, else chunked). A stream
// that fails midway cuts the connection (no clean end; the server's error log says why); a
// client that goes away cancels the stream.
void sendResponse(Responder responder, io::HttpResponse response);

}  // namespace wisp::server
