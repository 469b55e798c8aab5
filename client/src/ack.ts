/**
 * Decoding of `NLMSG_ERROR` (errors and ACKs, capped or not, with extended-ACK
 * TLVs) and of the status carried by `NLMSG_DONE`. Pure functions, no I/O.
 * @module
 */
import { decodeAttributes } from './attributes.js';
import { NLM_F, NLMSGERR_ATTR, NL_ATTR_TYPE_NAMES, NL_POLICY_TYPE_ATTR } from './constants.js';
import { MalformedMessageError, NetlinkError, type ExtendedAck, type FailedRequest, type PolicyInfo } from './errors.js';
import { align, NLMSG_HDRLEN, type NetlinkMessage } from './header.js';
import { attributePath, attributeSetOf, decodeAttributeSet, type AttributeSet } from './schema.js';

/** How to find attributes in a request, so extended-ACK offsets can be named. */
export interface RequestLayout {
  /** Bytes of family header between `nlmsghdr` and the attributes (e.g. 4 for genl, 16 for `ifinfomsg`). */
  headerSize: number;
  /** The request's top-level attribute set. */
  attributes?: AttributeSet;
}

/** A decoded `NLMSG_ERROR`. */
export interface ErrorReport {
  /** Positive errno; 0 means this is an ACK. */
  errno: number;
  /** Header of the request this answers. */
  request: FailedRequest;
  /** The request's payload, when the ACK was not capped. */
  requestPayload?: Buffer;
  /** Extended-ACK details (offsets are raw; see {@link nameOffsets}). */
  extack: ExtendedAck;
}

/** The attributes of a policy description (`NL_POLICY_TYPE_ATTR_*`), as `NLMSGERR_ATTR_POLICY` nests them. */
export const policyAttributes: AttributeSet = attributeSetOf('policy', NL_POLICY_TYPE_ATTR, {
  u32: ['TYPE', 'MIN_LENGTH', 'MAX_LENGTH', 'POLICY_IDX', 'POLICY_MAXTYPE', 'BITFIELD32_MASK'],
  s64: ['MIN_VALUE_S', 'MAX_VALUE_S'],
  u64: ['MIN_VALUE_U', 'MAX_VALUE_U', 'MASK'],
});

/** Decodes a nested `NLMSGERR_ATTR_POLICY` payload. */
export function decodePolicy(payload: Buffer, baseOffset = 0): PolicyInfo {
  const v = decodeAttributeSet(policyAttributes, payload, baseOffset);
  const p: PolicyInfo = {};
  if (typeof v.TYPE === 'number') p.type = NL_ATTR_TYPE_NAMES[v.TYPE] ?? String(v.TYPE);
  const min = v.MIN_VALUE_S ?? v.MIN_VALUE_U;
  const max = v.MAX_VALUE_S ?? v.MAX_VALUE_U;
  if (typeof min === 'bigint') p.minValue = min;
  if (typeof max === 'bigint') p.maxValue = max;
  if (typeof v.MIN_LENGTH === 'number') p.minLength = v.MIN_LENGTH;
  if (typeof v.MAX_LENGTH === 'number') p.maxLength = v.MAX_LENGTH;
  if (typeof v.MASK === 'bigint') p.mask = v.MASK;
  if (typeof v.BITFIELD32_MASK === 'number') p.bitfield32Mask = v.BITFIELD32_MASK;
  if (typeof v.POLICY_IDX === 'number') p.policyIndex = v.POLICY_IDX;
  if (typeof v.POLICY_MAXTYPE === 'number') p.policyMaxType = v.POLICY_MAXTYPE;
  return p;
}

/** The extended-ACK attributes that carry one u32, and where each goes. */
const EXTACK_U32: ReadonlyMap<number, 'offset' | 'missingType' | 'missingNest'> = new Map([
  [NLMSGERR_ATTR.OFFS, 'offset'],
  [NLMSGERR_ATTR.MISS_TYPE, 'missingType'],
  [NLMSGERR_ATTR.MISS_NEST, 'missingNest'],
]);

/** Decodes extended-ACK TLVs (`NLMSGERR_ATTR_*`). Unknown types are ignored. */
export function decodeExtendedAck(tlvs: Buffer, baseOffset = 0): ExtendedAck {
  const ext: ExtendedAck = {};
  for (const a of decodeAttributes(tlvs, baseOffset)) {
    const p = a.payload;
    const u32 = EXTACK_U32.get(a.type);
    if (u32) {
      if (p.length < 4) throw new MalformedMessageError(`extended-ACK attribute ${a.type} too short`, a.offset);
      ext[u32] = p.readUInt32LE(0);
    } else if (a.type === NLMSGERR_ATTR.MSG) {
      const nul = p.indexOf(0);
      ext.message = p.toString('utf8', 0, nul < 0 ? p.length : nul);
    } else if (a.type === NLMSGERR_ATTR.COOKIE) ext.cookie = Buffer.from(p);
    else if (a.type === NLMSGERR_ATTR.POLICY) ext.policy = decodePolicy(p, a.offset + 4);
  }
  return ext;
}

/**
 * Decodes an `NLMSG_ERROR` message: `int error`, the original header, the
 * original payload unless `NLM_F_CAPPED`, then TLVs if `NLM_F_ACK_TLVS`.
 * Throws {@link MalformedMessageError} if it is too short.
 */
export function decodeErrorMessage(msg: NetlinkMessage): ErrorReport {
  const p = msg.payload;
  if (p.length < 4 + NLMSG_HDRLEN) throw new MalformedMessageError(`NLMSG_ERROR payload of ${p.length} bytes`, 0);
  const error = p.readInt32LE(0);
  const request: FailedRequest = {
    type: p.readUInt16LE(8),
    flags: p.readUInt16LE(10),
    seq: p.readUInt32LE(12),
    pid: p.readUInt32LE(16),
  };
  const origLen = p.readUInt32LE(4);
  let tlvStart = 4 + NLMSG_HDRLEN;
  let requestPayload: Buffer | undefined;
  if (!(msg.flags & NLM_F.CAPPED) && origLen > NLMSG_HDRLEN) {
    const end = Math.min(4 + origLen, p.length);
    requestPayload = p.subarray(tlvStart, end);
    tlvStart = Math.min(4 + align(origLen), p.length);
  }
  const extack = msg.flags & NLM_F.ACK_TLVS ? decodeExtendedAck(p.subarray(tlvStart), tlvStart) : {};
  const report: ErrorReport = { errno: error === 0 ? 0 : -error, request, extack };
  if (requestPayload) report.requestPayload = requestPayload;
  return report;
}

/**
 * Decodes the status of `NLMSG_DONE`: a dump may end with a negative error
 * and extended-ACK TLVs. An empty payload means success.
 */
export function decodeDoneMessage(msg: NetlinkMessage): { errno: number; extack: ExtendedAck } {
  const p = msg.payload;
  if (p.length < 4) return { errno: 0, extack: {} };
  const error = p.readInt32LE(0);
  const extack = msg.flags & NLM_F.ACK_TLVS ? decodeExtendedAck(p.subarray(4), 4) : {};
  return { errno: error < 0 ? -error : 0, extack };
}

/**
 * Adds attribute names to the extended-ACK offsets, using the bytes of the
 * request that was sent and its layout. Offsets count from the request's
 * `nlmsghdr`.
 */
export function nameOffsets(extack: ExtendedAck, request: Buffer, layout: RequestLayout): ExtendedAck {
  const start = NLMSG_HDRLEN + layout.headerSize;
  const len = Math.min(request.length, request.length >= 4 ? request.readUInt32LE(0) : 0);
  if (len < start) return extack;
  const attrs = request.subarray(start, len);
  const out: ExtendedAck = { ...extack };
  if (extack.offset !== undefined) {
    const path = attributePath(layout.attributes, attrs, extack.offset, start);
    if (path) out.path = path;
  }
  let missingSet = layout.attributes;
  if (extack.missingNest !== undefined) {
    const path = attributePath(layout.attributes, attrs, extack.missingNest, start);
    if (path) {
      out.missingNestPath = path;
      missingSet = resolveSet(layout.attributes, path);
    } else missingSet = undefined;
  }
  if (extack.missingType !== undefined && missingSet) {
    const entry = missingSet.byType.get(extack.missingType);
    if (entry) out.missingName = entry[0];
  }
  return out;
}

function resolveSet(set: AttributeSet | undefined, path: string[]): AttributeSet | undefined {
  let cur = set;
  for (const name of path) {
    const spec = cur?.attributes[name];
    if (!spec) return /^\d+$/.test(name) ? cur : undefined; // array index: stay in the entry set
    cur = spec.nested;
  }
  return cur;
}

/** Builds the {@link NetlinkError} for a failed request, naming attributes when possible. */
export function toNetlinkError(
  errno: number,
  extack: ExtendedAck,
  requestHeader: FailedRequest | undefined,
  request?: Buffer,
  layout?: RequestLayout,
): NetlinkError {
  const named = request && layout ? nameOffsets(extack, request, layout) : extack;
  return new NetlinkError(errno, named, requestHeader);
}
