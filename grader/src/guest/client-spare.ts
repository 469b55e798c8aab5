// A node process started before a check needs it (in the guest, node itself takes most of a
// second to start under TCG). It waits on fd 3 for what to run, then becomes that program:
// its arguments and environment are set, and the client is imported as node would run it.
// Started and handed out by guest/spares.ts; ends quietly if the runner goes away first.
// The library is already loaded when the order comes, so it must read its environment
// (LAB_NETLINK_TRACE) when it is used, not when it is imported.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface Order {
  path: string;
  args: string[];
  env: Record<string, string>;
}

// Clients import the library through the package name, which resolves from every client's
// folder to the same file as from here: importing it now takes its load off the run.
await import('netlink-lab/client').catch(() => {});

let text = '';
try {
  text = readFileSync(3, 'utf8'); // blocks until the runner writes the order and closes the pipe
} catch {
  // the runner is gone
}
if (!text) process.exit(0);
const order = JSON.parse(text) as Order;
Object.assign(process.env, order.env);
process.argv.splice(1, process.argv.length, order.path, ...order.args);
await import(pathToFileURL(order.path).href);
