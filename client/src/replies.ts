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

/** One exchange in progress. */
export interface ReplyEngine {
  /** Handles one message of the answer (already matched to the request); true once the exchange has ended. */
  feed(message: NetlinkMessage, datagram?: DatagramInfo): boolean;
  /**
   * Walks every message of a datagram, like `mnl_cb_run`: messages with
   * another sequence number are skipped, the walk stops when the exchange
   * ends. A truncated datagram ends it with {@link DatagramTruncatedError}.
   * True once the exchange has ended.
   */
  feedDatagram(datagram: DatagramInfo): boolean;
  /** True once the exchange ended (ACK, `NLMSG_DONE`, error, single reply, or {@link ReplyEngine.fail}). */
  readonly ended: boolean;
  /** Data messages delivered so far. */
  readonly received: number;
  /** Ends the exchange with `error` (timeout, abort, receive failure); later messages are ignored. */
  fail(error: Error): void;
}

function requestHeader(request: Buffer): FailedRequest {
  if (request.length < NLMSG_HDRLEN) return { type: 0, flags: 0, seq: 0, pid: 0 };
  return { type: request.readUInt16LE(4), flags: request.readUInt16LE(6), seq: request.readUInt32LE(8), pid: request.readUInt32LE(12) };
}

/**
 * Starts an exchange: `onData` receives each data message of the answer,
 * `onEnd` is called once, with an error if the exchange failed (a
 * `NetlinkError` from `NLMSG_ERROR` or `NLMSG_DONE`, `DumpInterruptedError`,
 * `DatagramTruncatedError`, a `MalformedMessageError` from a bad control
 * message, or whatever {@link ReplyEngine.fail} was given).
 */
export function createReplyEngine(options: ReplyEngineOptions, onData: (message: NetlinkMessage) => void, onEnd: (error?: Error) => void): ReplyEngine {
  const header = requestHeader(options.request);
  let ended = false;
  let received = 0;
  let interrupted = false;

  const end = (error?: Error): void => {
    if (ended) return;
    ended = true;
    if (!error && interrupted && !options.allowInterrupted) error = new DumpInterruptedError(received);
    onEnd(error);
  };
  const status = (errno: number, extack: ExtendedAck, request: FailedRequest): void => {
    if (errno !== 0) return end(toNetlinkError(errno, extack, request, options.request, options.layout));
    if (extack.message !== undefined && options.onWarning) {
      const named = options.layout ? nameOffsets(extack, options.request, options.layout) : extack;
      options.onWarning({ message: extack.message, extack: named, request });
    }
    end();
  };
  const feed = (m: NetlinkMessage, datagram?: DatagramInfo): boolean => {
    if (ended) return true;
    try {
      if (datagram?.truncated) {
        end(new DatagramTruncatedError(datagram.data.length));
      } else if (m.type === NLMSG.ERROR) {
        const r = decodeErrorMessage(m);
        status(r.errno, r.extack, r.request);
      } else if (m.type === NLMSG.DONE) {
        const d = decodeDoneMessage(m);
        status(d.errno, d.extack, header);
      } else if (m.type !== NLMSG.NOOP && m.type !== NLMSG.OVERRUN) {
        received++;
        if (m.flags & NLM_F.DUMP_INTR) interrupted = true;
        onData(m);
        if (options.endAtSingleReply && !(m.flags & NLM_F.MULTI)) end();
      }
    } catch (e) {
      end(e as Error);
    }
    return ended;
  };
  return {
    feed,
    feedDatagram(datagram) {
      if (ended) return true;
      if (datagram.truncated) return feed({ ...header, payload: Buffer.alloc(0) }, datagram);
      let messages: NetlinkMessage[];
      try {
        messages = decodeMessages(datagram.data);
      } catch (e) {
        end(e as Error);
        return true;
      }
      for (const m of messages) if (m.seq === header.seq && feed(m)) break;
      return ended;
    },
    get ended() {
      return ended;
    },
    get received() {
      return received;
    },
    fail: end,
  };
}
