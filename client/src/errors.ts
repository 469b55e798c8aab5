/**
 * Typed errors. Expected failures (kernel errors, malformed input, timeouts)
 * are instances of these classes, so callers can branch with `instanceof`
 * or on `code` instead of parsing messages.
 * @module
 */
import { constants } from 'node:os';

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}
// Aliases share a number; use the names libuv (and so the native layer) reports.
for (const name of ['EAGAIN', 'EOPNOTSUPP', 'EDEADLK'] as const) {
  const value = constants.errno[name];
  if (value !== undefined) errnoNames.set(value, name);
}

/**
 * Symbolic name of a positive errno value (`2` → `'ENOENT'`), or `'E<n>'` when unknown.
 */
export function errnoCode(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** Decoded `NLMSGERR_ATTR_POLICY`: the constraint the rejected attribute violated. */
export interface PolicyInfo {
  /** Attribute type name from `NL_ATTR_TYPE_*`, e.g. `'u32'`, `'nested'`. */
  type?: string;
  minValue?: bigint;
  maxValue?: bigint;
  minLength?: number;
  maxLength?: number;
  mask?: bigint;
  bitfield32Mask?: number;
  policyIndex?: number;
  policyMaxType?: number;
}

/** Extended-ACK details attached to an error or an ACK. */
export interface ExtendedAck {
  /** Human-readable text (`NLMSGERR_ATTR_MSG`). */
  message?: string;
  /** Byte offset of the offending attribute in the original request (`NLMSGERR_ATTR_OFFS`). */
  offset?: number;
  /** Attribute names leading to `offset`, when the request's schema is known (e.g. `['LINKINFO', 'KIND']`). */
  path?: string[];
  /** Type of a required attribute that was missing (`NLMSGERR_ATTR_MISS_TYPE`). */
  missingType?: number;
  /** Name of the missing attribute, when the schema is known. */
  missingName?: string;
  /** Offset of the nest the attribute was missing from (`NLMSGERR_ATTR_MISS_NEST`). */
  missingNest?: number;
  /** Attribute names leading to `missingNest`, when the schema is known. */
  missingNestPath?: string[];
  /** Policy the offending attribute failed (`NLMSGERR_ATTR_POLICY`). */
  policy?: PolicyInfo;
  /** Opaque subsystem cookie (`NLMSGERR_ATTR_COOKIE`). */
  cookie?: Buffer;
}

/** Header fields of the request an error refers to. */
export interface FailedRequest {
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/**
 * The kernel (or a peer) answered a request with `NLMSG_ERROR` and a negative
 * error code, or ended a dump with an error in `NLMSG_DONE`.
 */
export class NetlinkError extends Error {
  override name = 'NetlinkError';
  /** Positive errno, e.g. 2. */
  readonly errno: number;
  /** Symbolic errno, e.g. `'ENOENT'`. */
  readonly code: string;
  /** Extended-ACK information; empty when the kernel sent none. */
  readonly extack: ExtendedAck;
  /** Header of the request that failed, as echoed by the kernel. */
  readonly request: FailedRequest | undefined;

  constructor(errno: number, extack: ExtendedAck = {}, request?: FailedRequest) {
    const code = errnoCode(errno);
    let text = `${code}`;
    if (extack.message) text += `: ${extack.message}`;
    if (extack.path?.length) text += ` (attribute ${extack.path.join('.')})`;
    else if (extack.offset !== undefined) text += ` (attribute at offset ${extack.offset})`;
    if (extack.missingType !== undefined)
      text += ` (missing attribute ${extack.missingName ?? extack.missingType}${
        extack.missingNestPath?.length ? ` in ${extack.missingNestPath.join('.')}` : ''
      })`;
    super(`netlink request failed: ${text}`);
    this.errno = errno;
    this.code = code;
    this.extack = extack;
    this.request = request;
  }
}

/** Bytes that do not form a valid netlink message or attribute. */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
  /** Always `'EBADMSG'`. */
  readonly code = 'EBADMSG';
  /** Offset of the problem inside the buffer being decoded. */
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(`malformed netlink data at offset ${offset}: ${reason}`);
    this.offset = offset;
  }
}

/** A value cannot be encoded as its attribute kind (wrong type, out of range, unknown name). */
export class AttributeEncodeError extends Error {
  override name = 'AttributeEncodeError';
  /** Always `'EINVAL'`. */
  readonly code = 'EINVAL';
  /** Attribute names leading to the bad value. */
  readonly path: string[];

  constructor(reason: string, path: string[]) {
    super(`cannot encode attribute ${path.join('.') || '(root)'}: ${reason}`);
    this.path = path;
  }
}

/**
 * A dump carried `NLM_F_DUMP_INTR`: the data changed while it was produced,
 * so the result may be inconsistent. Retry the dump. The messages received
 * are attached.
 */
export class DumpInterruptedError extends Error {
  override name = 'DumpInterruptedError';
  /** Always `'EINTR'`, like libmnl's `mnl_cb_run`. */
  readonly code = 'EINTR';
  /** Number of messages delivered before the error was raised. */
  readonly received: number;

  constructor(received: number) {
    super('netlink dump interrupted by a concurrent change (NLM_F_DUMP_INTR); retry it');
    this.received = received;
  }
}

/** No answer arrived within the requested time. */
export class NetlinkTimeoutError extends Error {
  override name = 'NetlinkTimeoutError';
  /** Always `'ETIMEDOUT'`. */
  readonly code = 'ETIMEDOUT';

  constructor(ms: number) {
    super(`no netlink reply within ${ms} ms`);
  }
}

/** The socket was closed before or while an operation used it. */
export class SocketClosedError extends Error {
  override name = 'SocketClosedError';
  /** Always `'EBADF'`. */
  readonly code = 'EBADF';
  /** What was attempted (e.g. `'send'`), when known. */
  readonly operation: string | undefined;

  constructor(operation?: string) {
    super(operation ? `netlink socket is closed (cannot ${operation})` : 'netlink socket is closed');
    this.operation = operation;
  }
}

/**
 * The native addon was never built: in a project that installed this package, npm 11 skips
 * a dependency's build script (node-gyp) until the project approves it.
 */
export class NativeAddonMissingError extends Error {
  override name = 'NativeAddonMissingError';
  /** Where the addon was looked for. */
  readonly path: string;

  constructor(path: string, inRepository: boolean) {
    super(
      inRepository
        ? `netlink client: the native addon is not built (${path}); run \`npm install\` in the repository`
        : `netlink-lab: the native addon is not built (${path}); npm skipped the package's build script: run \`npm install-scripts approve netlink-lab && npm rebuild netlink-lab\``,
    );
    this.path = path;
  }
}

/** A function of this library was called with a value of the wrong type (a bug in the caller, not bad data). */
export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
  /** Always `'EINVAL'`. */
  readonly code = 'EINVAL';
  /** Name of the argument or field, e.g. `'payload'`. */
  readonly argument: string;

  constructor(argument: string, expected: string, value: unknown) {
    super(`invalid ${argument}: expected ${expected}, got ${describeValue(value)}`);
    this.argument = argument;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return typeof value;
}

/**
 * The kernel reported `MSG_TRUNC`: the datagram did not fit the receive
 * buffer, so part of the answer is lost. Code `'ENOSPC'`, like libmnl.
 */
export class DatagramTruncatedError extends Error {
  override name = 'DatagramTruncatedError';
  /** Always `'ENOSPC'`. */
  readonly code = 'ENOSPC';
  /** Bytes that were received. */
  readonly received: number;

  constructor(received: number) {
    super(`netlink datagram truncated after ${received} bytes (MSG_TRUNC); the answer is incomplete`);
    this.received = received;
  }
}

/** A reply is not what the request asks for (e.g. another generic netlink command). */
export class UnexpectedReplyError extends Error {
  override name = 'UnexpectedReplyError';
  /** Always `'EPROTO'`. */
  readonly code = 'EPROTO';

  constructor(what: string) {
    super(`unexpected netlink reply: ${what}`);
  }
}

/**
 * A socket could not be opened in the network namespace asked for: no
 * such namespace (`ENOENT`), the file is no network namespace (`EINVAL`),
 * or entering it is not allowed (`EPERM`, it needs `CAP_SYS_ADMIN`).
 */
export class NetworkNamespaceError extends Error {
  override name = 'NetworkNamespaceError';
  /** Symbolic errno of the failing `open` or `setns`, e.g. `'ENOENT'`. */
  readonly code: string;
  /** The namespace as given: a name, a path or a file descriptor. */
  readonly netns: string | number;

  constructor(netns: string | number, code: string, path?: string) {
    const which = typeof netns === 'number' ? `file descriptor ${netns}` : path && path !== netns ? `"${netns}" (${path})` : `"${netns}"`;
    const why: Record<string, string> = {
      ENOENT: 'no such namespace (`ip netns list` shows the names)',
      EINVAL: 'not a network namespace',
      EBADF: 'not an open file descriptor',
      EPERM: 'not permitted (entering a namespace needs CAP_SYS_ADMIN)',
    };
    super(`cannot open a netlink socket in network namespace ${which}: ${code}, ${why[code] ?? 'the namespace cannot be entered'}`);
    this.code = code;
    this.netns = netns;
  }
}

/** A generic netlink family has no multicast group of that name. */
export class GroupNotFoundError extends Error {
  override name = 'GroupNotFoundError';
  /** Always `'ENOENT'`. */
  readonly code = 'ENOENT';

  constructor(family: string, group: string) {
    super(`generic netlink family ${family} has no multicast group "${group}"`);
  }
}

/**
 * Shape of the errors thrown by the native layer (a failing syscall), the
 * same as Node's own system errors.
 */
export interface SystemError extends Error {
  errno: number;
  code: string;
  syscall: string;
}

/** True if `e` is an error raised by a failing syscall in the native layer. */
export function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as Partial<SystemError>).syscall === 'string';
}
