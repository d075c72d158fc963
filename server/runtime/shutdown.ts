// Closing the HTTP server on shutdown with a deadline: new connections are refused at once, idle
// keep-alive connections are closed, requests in flight get `deadlineMs` to finish, and then
// whatever is still open (a long export, a client that stopped reading) is cut, so a SIGTERM
// always ends the process in bounded time (KEEL_SHUTDOWN_SECONDS).
import type { Server } from "node:http";

/** Resolves once the server is closed; `cut` counts the connections the deadline ended. */
export async function closeWithDeadline(server: Server, deadlineMs: number): Promise<{ cut: number }> {
  let cut = 0;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    server.getConnections((error, count) => {
      cut = error ? 0 : count;
      server.closeAllConnections();
    });
  }, deadlineMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
  return { cut };
}
