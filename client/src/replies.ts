/**
 * The reply engine: what happens to each message answering one request,
 * the same for `request()` and `dump()` — libmnl's `mnl_cb_run` as a small
 * state machine. Control messages (`NLMSG_ERROR`, `NLMSG_DONE`,
 * `NLMSG_NOOP`, `NLMSG_OVERRUN`) are handled here; data messages go to a
 * callback. No I/O: the socket feeds it, tests can feed it bytes.
 * @module
 */
import { decodeDoneMessage, decodeErrorMessage, nameOffsets, toNetlinkError, type RequestLayout } from './ack.js';
import { NLM_F, NLMSG } from './constants.js';
import { DatagramTruncatedError, DumpInterruptedError, type ExtendedAck, type FailedRequest } from './errors.js';
import { decodeMessages, NLMSG_HDRLEN, type NetlinkMessage } from './header.js';

/** Text the kernel attached to a successful ACK or `NLMSG_DONE` (iproute2 prints it as `Warning: …`). */
export interface AckWarning {
  /** `NLMSGERR_ATTR_MSG`. */
  message: string;
  /** All extended-ACK details, offsets named when the request's layout is known. */
  extack: ExtendedAck;
  /** Header of the request the warning answers. */
  request: FailedRequest;
}

/** Options of {@link createReplyEngine}. */
export interface ReplyEngineOptions {
  /** The request as sent: its header identifies the exchange, its bytes name extended-ACK offsets. */
  request: Buffer;
  /** Where the request's attributes are, so error offsets get attribute names. */
  layout?: RequestLayout;
  /** Do not end with {@link DumpInterruptedError} when a message carried `NLM_F_DUMP_INTR`. */
  allowInterrupted?: boolean;
  /** End at the first data message without `NLM_F_MULTI` (a request sent without `NLM_F_ACK`). */
  endAtSingleReply?: boolean;
  /** Called for each warning carried by a successful ACK or `NLMSG_DONE`. */
  onWarning?: (warning: AckWarning) => void;
}

/** The part of a received datagram the engine looks at. */
export interface DatagramInfo {
  data: Buffer;
  truncated: boolean;
}

function requestHeader(request: Buffer): FailedRequest {
  if (request.length < NLMSG_HDRLEN) return { type: 0, flags: 0, seq: 0, pid: 0 };
  return { type: request.readUInt16LE(4), flags: request.readUInt16LE(6), seq: request.readUInt32LE(8), pid: request.readUInt32LE(12) };
}

/**
 * One exchange in progress. A class rather than closures because one is
 * made per request: its methods live on the prototype, and it is itself
 * the socket's routing entry (`seq`, `peer`, `onMessage`, `onError`).
 */
export class ReplyEngine {
  /** Sequence number of the request (from its header). */
  readonly seq: number;
  /** Port expected to answer (0: the kernel). */
  readonly peer: number;
  readonly #options: ReplyEngineOptions;
  readonly #onData: (message: NetlinkMessage) => void;
  readonly #onEnd: (error?: Error) => void;
  #ended = false;
  #received = 0;
  #interrupted = false;

  constructor(options: ReplyEngineOptions, onData: (message: NetlinkMessage) => void, onEnd: (error?: Error) => void, peer = 0) {
    this.#options = options;
    this.#onData = onData;
    this.#onEnd = onEnd;
    this.seq = options.request.length >= NLMSG_HDRLEN ? options.request.readUInt32LE(8) : 0;
    this.peer = peer;
  }

  /** True once the exchange ended (ACK, `NLMSG_DONE`, error, single reply, or {@link ReplyEngine.end}). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Data messages delivered so far. */
  get received(): number {
    return this.#received;
  }

  /** Handles one message of the answer (already matched to the request); true once the exchange has ended. */
  feed(m: NetlinkMessage, datagram?: DatagramInfo): boolean {
    if (this.#ended) return true;
    try {
      if (datagram?.truncated) {
        this.end(new DatagramTruncatedError(datagram.data.length));
      } else if (m.type === NLMSG.ERROR) {
        const r = decodeErrorMessage(m);
        this.#status(r.errno, r.extack, r.request);
      } else if (m.type === NLMSG.DONE) {
        const d = decodeDoneMessage(m);
        this.#status(d.errno, d.extack, requestHeader(this.#options.request));
      } else if (m.type !== NLMSG.NOOP && m.type !== NLMSG.OVERRUN) {
        this.#received++;
        if (m.flags & NLM_F.DUMP_INTR) this.#interrupted = true;
        this.#onData(m);
        if (this.#options.endAtSingleReply && !(m.flags & NLM_F.MULTI)) this.end();
      }
    } catch (e) {
      this.end(e as Error);
    }
    return this.#ended;
  }

  /**
   * Walks every message of a datagram, like `mnl_cb_run`: messages with
   * another sequence number are skipped, the walk stops when the exchange
   * ends. A truncated datagram ends it with {@link DatagramTruncatedError}
   * without being parsed. True once the exchange has ended.
   */
  feedDatagram(datagram: DatagramInfo): boolean {
    if (this.#ended) return true;
    if (datagram.truncated) return this.feed({ ...requestHeader(this.#options.request), payload: Buffer.alloc(0) }, datagram);
    let messages: NetlinkMessage[];
    try {
      messages = decodeMessages(datagram.data);
    } catch (e) {
      this.end(e as Error);
      return true;
    }
    for (const m of messages) if (m.seq === this.seq && this.feed(m)) break;
    return this.#ended;
  }

  /**
   * Ends the exchange: with `error` it fails (timeout, abort, receive
   * failure), without one it succeeds. Only the first end counts; later
   * messages are ignored.
   */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!error && this.#interrupted && !this.#options.allowInterrupted) error = new DumpInterruptedError(this.#received);
    this.#onEnd(error);
  }

  /** @internal The socket's routing entry: a message for this exchange. */
  onMessage(m: NetlinkMessage, datagram?: DatagramInfo): void {
    this.feed(m, datagram);
  }

  /** @internal The socket's routing entry: the socket failed or closed. */
  onError(error: Error): void {
    this.end(error);
  }

  #status(errno: number, extack: ExtendedAck, request: FailedRequest): void {
    const options = this.#options;
    if (errno !== 0) return this.end(toNetlinkError(errno, extack, request, options.request, options.layout));
    if (extack.message !== undefined && options.onWarning) {
      const named = options.layout ? nameOffsets(extack, options.request, options.layout) : extack;
      options.onWarning({ message: extack.message, extack: named, request });
    }
    this.end();
  }
}

/**
 * Starts an exchange: `onData` receives each data message of the answer,
 * `onEnd` is called once, with an error if the exchange failed (a
 * `NetlinkError` from `NLMSG_ERROR` or `NLMSG_DONE`, `DumpInterruptedError`,
 * `DatagramTruncatedError`, a `MalformedMessageError` from a bad control
 * message, or whatever {@link ReplyEngine.end} was given).
 * @param peer - port expected to answer, when the engine is registered with a socket
 */
export function createReplyEngine(options: ReplyEngineOptions, onData: (message: NetlinkMessage) => void, onEnd: (error?: Error) => void, peer = 0): ReplyEngine {
  return new ReplyEngine(options, onData, onEnd, peer);
}
