// The shared warm guest: a detached process that boots one guest and serves grades to one
// grader at a time over a unix socket, so the next `npm run grade` skips the boot.
//   node dist/grader/src/shared-guest/daemon.js KERNEL KEY
// It ends, with its guest, after an idle timeout, after any kill or stop, when its guest dies,
// when a grader vanishes in the middle of a grade (the guest's state is then unknown), and on
// SIGTERM (`npm run lab -- down`). QEMU dies with it even on SIGKILL (kernel/src/reaper.ts).

import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ensureSharedGuestDir, findKernel, SHARED_GUEST_LOG, SHARED_GUEST_PID, sharedGuestSocket, type VmRun } from '../../../kernel/src/index.js';
import { GuestSession } from '../vm-session.js';
import { receive, send, type ToDaemon } from './protocol.js';

/** How long the guest waits for the next grade; NETLINK_LAB_SHARED_IDLE_S changes it. */
const IDLE_MS = (Number(process.env.NETLINK_LAB_SHARED_IDLE_S) || 600) * 1000;

const [selector, key] = process.argv.slice(2);
const socketPath = sharedGuestSocket();

function log(line: string): void {
  try {
    appendFileSync(SHARED_GUEST_LOG, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
  } catch {
    // a log that cannot be written changes nothing
  }
}

let ownsSlot = false;

/** Gives the slot up (socket and pid file) so that a new daemon can take it at once. */
function leaveSlot(server: Server): void {
  if (!ownsSlot) return;
  ownsSlot = false;
  server.close();
  rmSync(socketPath, { force: true });
  try {
    if (readFileSync(SHARED_GUEST_PID, 'utf8') === String(process.pid)) rmSync(SHARED_GUEST_PID, { force: true });
  } catch {
    // already gone
  }
}

/** Listens on the slot's socket unless a live daemon already answers there. */
function listen(server: Server): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE') return resolve(false);
      const probe = createConnection(socketPath);
      probe.once('connect', () => (probe.destroy(), resolve(false)));
      probe.once('error', () => {
        rmSync(socketPath, { force: true }); // a dead daemon's socket
        server.listen(socketPath, () => resolve(true));
      });
    });
    server.listen(socketPath, () => resolve(true));
  });
}

async function main(): Promise<void> {
  if (!selector || !key) throw new Error('usage: daemon.js KERNEL KEY');
  const kernel = findKernel(selector);
  ensureSharedGuestDir();
  const server = createServer();
  if (!(await listen(server))) {
    log('another daemon holds the slot; exiting');
    return;
  }
  ownsSlot = true;
  writeFileSync(SHARED_GUEST_PID, String(process.pid));
  process.on('exit', () => leaveSlot(server));
  const session = new GuestSession(kernel);
  log(`booting ${kernel.release} for ${key.slice(0, 12)} in ${session.shareDir}`);

  let served = 0;
  let client: Socket | undefined;
  let running = false;
  let idle: NodeJS.Timeout | undefined;
  const exit = (why: string, vm?: VmRun): void => {
    log(`exiting: ${why}${vm ? ` (guest ${vm.outcome})` : ''}`);
    leaveSlot(server);
    process.exit(0);
  };
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void session.stop().then((vm) => exit('idle', vm)), IDLE_MS);
  };
  armIdle();
  // A guest that dies between grades takes the daemon with it; during one, the grader hears of it.
  void session.whenEnded().then((vm) => {
    if (!client) exit('the guest ended', vm);
  });

  const end = async (how: 'kill' | 'stop', to: Socket): Promise<void> => {
    leaveSlot(server);
    const vm = await (how === 'kill' ? session.kill() : session.stop());
    send(to, { op: 'ended', vm });
    to.end(() => exit(how, vm));
  };

  server.on('connection', (sock) => {
    log(client ? 'a grader asked while another has the guest' : 'a grader attached');
    if (client) {
      send(sock, { op: 'busy' });
      sock.end();
      return;
    }
    client = sock;
    clearTimeout(idle);
    send(sock, { op: 'hello', pid: process.pid, key, release: kernel.release, shareDir: session.shareDir, served });
    receive<ToDaemon>(sock)((msg) => {
      log(msg.op === 'run' ? `grade ${served + 1}: ${msg.plan.lesson.id}, ${msg.jobs.length} run(s)` : msg.op);
      if (msg.op === 'kill' || msg.op === 'stop') return void end(msg.op, sock);
      if (msg.op !== 'run' || running) return send(sock, { op: 'error', message: `unexpected ${msg.op}` });
      running = true;
      session
        .run(msg.plan, msg.jobs, {
          onJobStart: (job) => send(sock, { op: 'start', job: job.index }),
          onJobEnd: (job, result) => send(sock, { op: 'end', job: job.index, result }),
          onGuestLine: (line) => send(sock, { op: 'line', line }),
        })
        .then(
          (r) => {
            running = false;
            served++;
            send(sock, { op: 'result', results: [...r.results], ms: r.ms, ...(r.running !== undefined ? { running: r.running } : {}), ...(r.fatal ? { fatal: r.fatal } : {}), ...(r.ended ? { ended: r.ended } : {}) });
            if (r.ended) sock.end(() => exit('the guest ended', r.ended));
          },
          (e: unknown) => {
            send(sock, { op: 'error', message: e instanceof Error ? e.message : String(e) });
            sock.end(() => void session.kill().then((vm) => exit('the request failed', vm)));
          },
        );
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      client = undefined;
      // A grader that vanished mid-grade leaves the guest in a state nobody checked.
      if (running) return void session.kill().then((vm) => exit('its grader went away during a grade', vm));
      if (session.alive) armIdle();
      else exit('the guest ended');
    });
  });
}

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
