// One mutant per later lesson: the mechanism each lesson teaches, broken in its solution, must
// fail the check that grades it and blame the right side. Lesson 3's suite covers the
// grader's robustness; this one covers what lessons 4, 5 and 7–16 claim to catch.
import { describe, expect, it } from 'vitest';
import { findKernel, liveCount } from '../../kernel/src/index.js';
import { gradeLesson } from '../src/grade.js';
import { planJobs } from '../src/plan.js';
import { mutantLesson, type Mutation } from './mutant-lesson.js';
import { sharedGuest } from './shared-guest.js';

const KV = 'kernel/nlab_kv.c';
/** Lesson 8's GET op and its key-only policy, as the solution has them. */
const GET_KEY_POLICY = '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_KEY,\n';

interface FamilyMutant {
  lesson: string;
  name: string;
  mutations: Mutation[];
  check: string;
  /** Only cross-matrix (side "both") checks name a side at fault. */
  fault?: 'kernel' | 'client';
  says: RegExp;
}

const MUTANTS: FamilyMutant[] = [
  {
    lesson: 'lesson-4',
    name: 'client-error-ack-as-answer',
    // The old client: an NLMSG_ERROR is just a message that is not a HELLO.
    mutations: [{ file: 'client/main.ts', find: /  if \(msg\?\.type === NLMSG\.ERROR && msg\.seq === seq\) \{\n[^}]*\}\n/, replace: '' }],
    check: 'client-error-ack',
    says: /did not report the error ACK as EINVAL/,
  },
  {
    lesson: 'lesson-5',
    name: 'client-ignores-type',
    // The old client: any message from the kernel with the right seq is the answer.
    mutations: [{ file: 'client/main.ts', find: ' || (msg.type !== NLMSG.ERROR && msg.type !== type)', replace: '' }],
    check: 'client-wrong-type',
    says: /took a message of another type/,
  },
  {
    lesson: 'lesson-5',
    name: 'client-ignores-msg-trunc',
    // A client that decodes what arrived: the cut echo is not reported as truncated.
    mutations: [{ file: 'client/main.ts', find: /    if \(datagram\.truncated\) \{\n[\s\S]*?\n    \}\n/, replace: '' }],
    check: 'client-truncated',
    says: /did not say that the answer was truncated/,
  },
  {
    lesson: 'lesson-7',
    name: 'no-cap-ack',
    // The printed line stays the same; only the library's trace shows the missing option.
    mutations: [{ file: 'client/main.ts', find: '{ extendedAck: true, capAck: true }', replace: '{ extendedAck: true, capAck: false }' }],
    check: 'client-error-line',
    fault: 'client',
    says: /without NETLINK_EXT_ACK and NETLINK_CAP_ACK/,
  },
  {
    lesson: 'lesson-8',
    name: 'resv-start-op-set',
    mutations: [{ file: KV, find: '\t.module\t\t= THIS_MODULE,\n', replace: '\t.module\t\t= THIS_MODULE,\n\t.resv_start_op\t= __NLAB_CMD_MAX,\n' }],
    check: 'header-checks',
    says: /reserved/,
  },
  {
    lesson: 'lesson-8',
    name: 'get-takes-set-policy',
    // The lessons 6-7 design: one policy for every command, so GET parses FLAGS and ignores it.
    mutations: [{ file: KV, find: GET_KEY_POLICY, replace: '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_set_policy,\n\t\t.maxattr = NLAB_A_FLAGS,\n' }],
    check: 'validation',
    says: /GET with FLAGS should fail with EINVAL/,
  },
  {
    lesson: 'lesson-8',
    name: 'get-takes-set-policy-nlctrl',
    mutations: [{ file: KV, find: GET_KEY_POLICY, replace: '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_set_policy,\n\t\t.maxattr = NLAB_A_FLAGS,\n' }],
    check: 'policies',
    says: /GET's policy differs.*FLAGS is accepted although the command never reads it/,
  },
  {
    lesson: 'lesson-8',
    name: 'set-without-admin-perm',
    mutations: [{ file: KV, find: '\t\t.maxattr = NLAB_A_FLAGS,\n\t\t.flags\t= GENL_ADMIN_PERM,\n', replace: '\t\t.maxattr = NLAB_A_FLAGS,\n' }],
    check: 'admin-only',
    says: /SET without CAP_NET_ADMIN should fail with EPERM/,
  },
  {
    lesson: 'lesson-8',
    name: 'set-without-admin-perm-nlctrl',
    mutations: [{ file: KV, find: '\t\t.maxattr = NLAB_A_FLAGS,\n\t\t.flags\t= GENL_ADMIN_PERM,\n', replace: '\t\t.maxattr = NLAB_A_FLAGS,\n' }],
    check: 'registered',
    says: /command 1 is listed without GENL_ADMIN_PERM/,
  },
  {
    lesson: 'lesson-8',
    name: 'netnsok-with-one-store',
    // The old lesson 8: visible from every namespace, all of them sharing the one list.
    mutations: [{ file: KV, find: '\t.version\t= NLAB_KV_FAMILY_VERSION,\n', replace: '\t.version\t= NLAB_KV_FAMILY_VERSION,\n\t.netnsok\t= true,\n' }],
    check: 'init-net-only',
    says: /from a new network namespace the family is reachable/,
  },
  {
    lesson: 'lesson-9',
    name: 'no-dump-generation',
    mutations: [{ file: KV, find: '\tcb->seq = nlab_kv_generation;\n', replace: '' }],
    check: 'dump-intr',
    says: /silently wrong/,
  },
  {
    lesson: 'lesson-9',
    name: 'list-prefix-policy-too-long',
    // PREFIX may be one byte longer than any key: harmless here, but not what the lesson declares.
    mutations: [{ file: KV, find: '[NLAB_A_PREFIX]\t= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },', replace: '[NLAB_A_PREFIX]\t= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE },' }],
    check: 'policies',
    says: /LIST's policy differs from the lesson's: PREFIX is nul-string max 64/,
  },
  {
    lesson: 'lesson-10',
    name: 'get-with-set-policy',
    // Lessons 6–7's one policy for all: GET silently accepts VALUE and FLAGS again.
    mutations: [{ file: KV, find: GET_KEY_POLICY, replace: '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_set_policy,\n\t\t.maxattr = NLAB_A_FLAGS,\n' }],
    check: 'policies',
    says: /GET's policy differs from the lesson's: VALUE is accepted although the command never reads it/,
  },
  {
    lesson: 'lesson-9',
    name: 'prefix-from-raw-request',
    // The first PREFIX of the raw request, not the one the policy checked and the parser kept.
    mutations: [{ file: KV, find: 'prefix = nlab_kv_dump_attrs(cb)[NLAB_A_PREFIX];', replace: 'prefix = nlab_kv_dump_attrs(cb) ? nlmsg_find_attr(cb->nlh, GENL_HDRLEN, NLAB_A_PREFIX) : NULL;' }],
    check: 'prefix-twice',
    says: /PREFIX "a\/" then "b\/" is wrong/,
  },
  {
    lesson: 'lesson-10',
    name: 'notification-with-seq',
    mutations: [{ file: KV, find: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, cmd)', replace: 'genlmsg_put(skb, 0, 1, &nlab_kv_family, 0, cmd)' }],
    check: 'two-subscribers',
    says: /seq 1/,
  },
  {
    lesson: 'lesson-10',
    name: 'one-notification-command',
    // The old NLAB_CMD_CHANGED: one command for both, a DEL told apart only by its missing VALUE.
    mutations: [{ file: KV, find: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, cmd)', replace: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, NLAB_CMD_SET_NTF)' }],
    check: 'two-subscribers',
    says: /notification of the DEL has command 5/,
  },
  {
    lesson: 'lesson-10',
    name: 'multicast-ignores-echo',
    // Members still hear every change; the requester's NLM_F_ECHO goes unanswered.
    mutations: [{ file: KV, find: 'genl_notify(&nlab_kv_family, skb, info, NLAB_MCGRP_EVENTS, GFP_KERNEL);', replace: 'genlmsg_multicast_netns(&nlab_kv_family, genl_info_net(info), skb, 0,\n\t\t\t\tNLAB_MCGRP_EVENTS, GFP_KERNEL);' }],
    check: 'echo',
    says: /did not get its own SET_NTF back/,
  },
  {
    lesson: 'lesson-10',
    name: 'client-ignores-nlctrl',
    // Lesson 10's first watcher: it joins "events" once and goes deaf when the module is reloaded.
    mutations: [{ file: 'client/main.ts', find: "  joinFamilyGroup(events, await resolveFamily(events, 'nlctrl', { timeout: REQUEST_TIMEOUT_MS }), 'notify');\n", replace: '' }],
    check: 'rejoin',
    fault: 'client',
    says: /after the module was reloaded/,
  },
  {
    lesson: 'lesson-10',
    name: 'client-hard-codes-group-id',
    // 8 is what "events" gets on a fresh 6.1 boot; the check makes it differ.
    mutations: [{ file: 'client/main.ts', find: 'const { socket: events, family: first } = await subscribe(FAMILY_NAME, [EVENTS_GROUP]);', replace: 'const events = openSocket(NETLINK.GENERIC);\n  events.joinGroup(8);\n  const first = await resolveFamily(events, FAMILY_NAME);' }],
    check: 'client-watch',
    fault: 'client',
    says: /did not print the three changes/,
  },
  {
    lesson: 'lesson-11',
    name: 'del-without-admin-perm',
    mutations: [{ file: KV, find: '\t\t.maxattr = NLAB_A_KEY,\n\t\t.flags\t= GENL_UNS_ADMIN_PERM,\n', replace: '\t\t.maxattr = NLAB_A_KEY,\n' }],
    check: 'admin-only',
    says: /DEL without CAP_NET_ADMIN/,
  },
  {
    lesson: 'lesson-11',
    name: 'set-needs-init-ns-admin',
    // Lesson 8's flag: right for one global store, but it locks a container's root out of its own.
    mutations: [{ file: KV, find: '\t\t.maxattr = NLAB_A_FLAGS,\n\t\t.flags\t= GENL_UNS_ADMIN_PERM,\n', replace: '\t\t.maxattr = NLAB_A_FLAGS,\n\t\t.flags\t= GENL_ADMIN_PERM,\n' }],
    check: 'container-root',
    says: /SET by a container's root in its own namespace should succeed/,
  },
  {
    lesson: 'lesson-11',
    name: 'no-netnsok',
    mutations: [{ file: KV, find: '\t.netnsok\t= true,\n', replace: '' }],
    check: 'per-netns',
    says: /does not know the family/,
  },
  {
    lesson: 'lesson-11',
    name: 'notify-in-init-net',
    // Each namespace keeps its store, but every change is announced in the initial one.
    mutations: [{ file: KV, find: 'genl_notify(&nlab_kv_family, skb, info, NLAB_MCGRP_EVENTS, GFP_KERNEL);', replace: 'genlmsg_multicast_netns(&nlab_kv_family, &init_net, skb, 0,\n\t\t\t\tNLAB_MCGRP_EVENTS, GFP_KERNEL);' }],
    check: 'per-netns',
    says: /heard the SET made in another namespace/,
  },
  {
    lesson: 'lesson-11',
    name: 'netns-exit-keeps-entries',
    // The pernet exit unlinks the entries and frees none: a dead namespace's store stays allocated.
    mutations: [{ file: KV, find: '\t\tlist_del(&e->node);\n\t\tkfree(e);\n\t}\n\tmutex_destroy(&kv->lock);', replace: '\t\tlist_del(&e->node);\n\t}\n\tmutex_destroy(&kv->lock);' }],
    check: 'netns-teardown',
    says: /20 objects allocated by nlab_kv outlived the namespace that stored them/,
  },
  {
    lesson: 'lesson-11',
    name: 'one-store-for-all-netns',
    mutations: [{ file: KV, find: 'return net_generic(net, nlab_kv_net_id);', replace: 'return net_generic(&init_net, nlab_kv_net_id);' }],
    check: 'per-netns',
    says: /visible in a new one/,
  },
  {
    lesson: 'lesson-11',
    name: 'multicast-ignores-echo',
    // Lesson 10's mutant, in this lesson's module: members hear every change, the requester's NLM_F_ECHO goes unanswered.
    mutations: [{ file: KV, find: 'genl_notify(&nlab_kv_family, skb, info, NLAB_MCGRP_EVENTS, GFP_KERNEL);', replace: 'genlmsg_multicast_netns(&nlab_kv_family, genl_info_net(info), skb, 0,\n\t\t\t\tNLAB_MCGRP_EVENTS, GFP_KERNEL);' }],
    check: 'echo',
    says: /did not get its own SET_NTF back/,
  },
  {
    lesson: 'lesson-11',
    name: 'del-not-announced',
    // DEL changes the store silently: the reloaded module's watcher hears the SET and never the DEL.
    mutations: [{ file: KV, find: '\t\tnlab_kv_notify(info, e, NLAB_CMD_DEL_NTF);\n', replace: '' }],
    check: 'rejoin',
    says: /after the module was reloaded the watcher did not print its next two changes/,
  },
  {
    lesson: 'lesson-11',
    name: 'excl-refusal-leaks',
    // SET with EXCL of a key that exists returns before the entry it allocated is freed: the
    // fuzzer's valid SETs of "fuzz" with FLAGS=EXCL take that path.
    mutations: [{ file: KV, find: '\t\terr = -EEXIST;\n\t\tgoto unlock;\n', replace: '\t\tmutex_unlock(&kv->lock);\n\t\treturn -EEXIST;\n' }],
    check: 'fuzz',
    says: /nlab_kv: \d+ objects? of .* still allocated after rmmod, allocated at .*nlab_kv_set_doit/,
  },
  {
    lesson: 'lesson-12',
    name: 'one-notification-command',
    // Lesson 10's old CHANGED, under the new name: YNL reads the DEL as a second set-ntf.
    mutations: [{ file: KV, find: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, cmd)', replace: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, NLAB_CMD_SET_NTF)' }],
    check: 'event-same',
    fault: 'kernel',
    says: /not a SET and a DEL of key e/,
  },
  {
    lesson: 'lesson-12',
    name: 'client-no-resync',
    // The watcher lesson 12 had before: any receive error ends it, ENOBUFS included.
    mutations: [{ file: 'client/main.ts', find: "if (!isSystemError(e) || e.code !== 'ENOBUFS') throw e;", replace: "if (!isSystemError(e) || e.code !== 'ENOBUFS_NEVER') throw e;" }],
    check: 'resync',
    says: /did not print "lost events \(ENOBUFS\); resync"/,
  },
  {
    lesson: 'lesson-12',
    name: 'client-ignores-nlctrl',
    // The watcher lesson 12 had before: it joins "events" once and goes deaf when the module is reloaded.
    mutations: [{ file: 'client/main.ts', find: "  joinFamilyGroup(socket, await resolveFamily(socket, 'nlctrl', { timeout: REQUEST_TIMEOUT_MS }), 'notify');\n", replace: '' }],
    check: 'rejoin',
    says: /after the module was reloaded/,
  },  {
    lesson: 'lesson-13',
    name: 'ntf-without-meta',
    // Lesson 12's notification: KEY and VALUE by hand, so the nest that GET returns is missing.
    mutations: [{ file: KV, find: 'if (cmd == NLAB_CMD_SET_NTF ? nlab_kv_fill(skb, e) :', replace: 'if (cmd == NLAB_CMD_SET_NTF ?\n\t    nla_put_string(skb, NLAB_A_KEY, e->key) || nla_put(skb, NLAB_A_VALUE, e->len, e->value) :' }],
    check: 'ynl-same',
    fault: 'kernel',
    says: /notifications are not the SETs of m2 and m3/,
  },
  {
    lesson: 'lesson-13',
    name: 'client-drops-meta',
    // The client parses --owner/--tag and still sends lesson 12's request.
    mutations: [{ file: 'client/main.ts', find: ', ...(cmd.meta ? { meta: cmd.meta } : {}) }', replace: ' }' }],
    check: 'ynl-same',
    fault: 'client',
    says: /GET m1 does not answer with that META/,
  },
  {
    lesson: 'lesson-13',
    name: 'nest-start-noflag',
    mutations: [{ file: KV, find: 'nest = nla_nest_start(skb, NLAB_A_META);', replace: 'nest = nla_nest_start_noflag(skb, NLAB_A_META);' }],
    check: 'nest-flag',
    says: /META of GET's reply lacks NLA_F_NESTED/,
  },
  {
    lesson: 'lesson-13',
    name: 'meta-policy-binary',
    // The pre-5.2 way: META is opaque to the core and parsed liberally by hand.
    mutations: [
      { file: KV, find: '[NLAB_A_META]\t= NLA_POLICY_NESTED(nlab_kv_meta_policy),', replace: '[NLAB_A_META]\t= { .type = NLA_BINARY },' },
      { file: KV, find: 'err = nla_parse_nested(tb,', replace: 'err = nla_parse_nested_deprecated(tb,' },
    ],
    check: 'nest-flag',
    says: /META lacks NLA_F_NESTED was not refused/,
  },
  {
    lesson: 'lesson-13',
    name: 'tags-without-max-len',
    mutations: [{ file: KV, find: '[NLAB_A_META_TAGS]\t= { .type = NLA_NUL_STRING,\n\t\t\t\t    .len = NLAB_KV_NAME_MAX_LEN },', replace: '[NLAB_A_META_TAGS]\t= { .type = NLA_NUL_STRING },' }],
    check: 'bad-tag',
    fault: 'kernel',
    says: /third tag is 40 bytes long was not refused/,
  },
  {
    lesson: 'lesson-13',
    name: 'client-path-without-index',
    // The library's names joined as they come: meta.tags.2, not meta.tags[2].
    mutations: [{ file: 'client/main.ts', find: "path.map((n, i) => (/^\\d+$/.test(n) ? `[${n}]` : i ? `.${n}` : n)).join('')", replace: "path.join('.')" }],
    check: 'bad-tag',
    fault: 'client',
    says: /did not say where the kernel pointed/,
  },
  {
    lesson: 'lesson-13',
    name: 'owner-check-without-nest',
    mutations: [{ file: KV, find: 'if (NL_REQ_ATTR_CHECK(extack, nest, tb, NLAB_A_META_OWNER))', replace: 'if (!tb[NLAB_A_META_OWNER])' }],
    check: 'missing-owner',
    fault: 'kernel',
    says: /empty META was not refused with the missing OWNER named inside it/,
  },
  {
    lesson: 'lesson-13',
    name: 'nest-end-on-overflow',
    // A full skb closes the half-written nest and sends the entry as if it were whole.
    mutations: [{ file: KV, find: 'cancel:\n\tnla_nest_cancel(skb, nest);\n\treturn -EMSGSIZE;', replace: 'cancel:\n\tnla_nest_end(skb, nest);\n\treturn 0;' }],
    check: 'dump-cut',
    says: /came with a META that is not the one stored/,
  },
  {
    lesson: 'lesson-13',
    name: 'size-without-tags',
    mutations: [
      { file: KV, find: '\tsize_t size;\n\tunsigned int i;\n', replace: '\tsize_t size;\n' },
      { file: KV, find: '\tfor (i = 0; i < e->meta.n_tags; i++)\n\t\tsize += nla_total_size(strlen(e->meta.tags[i]) + 1);\n', replace: '' },
    ],
    check: 'dump-cut',
    says: /GET of an entry with a 1024-byte value and 32 tags of 31 bytes did not answer with all of them/,
  },
  {
    lesson: 'lesson-14',
    name: 'priority-without-range',
    // The handler is left to check a value the policy only types.
    mutations: [{ file: KV, find: /NLA_POLICY_RANGE\(NLA_U8, NLAB_KV_PRIORITY_MIN,\n\t+ *NLAB_KV_PRIORITY_MAX\)/, replace: '{ .type = NLA_U8 }' }],
    check: 'priority-range',
    says: /SET with PRIORITY 0 was not refused/,
  },
  {
    lesson: 'lesson-14',
    name: 'port-as-u16',
    // A port typed as a host-order u16: the minimum is compared with the bytes read backwards.
    mutations: [{ file: KV, find: 'NLA_POLICY_MIN(NLA_BE16, NLAB_KV_PORT_MIN)', replace: 'NLA_POLICY_MIN(NLA_U16, NLAB_KV_PORT_MIN)' }],
    check: 'port-order',
    says: /SET with PORT 80 \(bytes 00 50\) was not refused/,
  },
  {
    lesson: 'lesson-14',
    name: 'marks-without-selector',
    // MARKS as plain flags: set bits are or-ed in, the selector never clears any.
    mutations: [{ file: KV, find: '((old ? old->marks : 0) & ~marks.selector) | marks.value', replace: '(old ? old->marks : 0) | marks.value' }],
    check: 'marks',
    says: /after step 3 \(clear STARRED; ARCHIVED stays\)/,
  },
  {
    lesson: 'lesson-14',
    name: 'hits-not-counted',
    mutations: [{ file: KV, find: '\t\te->hits++;\t/* the reply counts this GET too */\n', replace: '' }],
    check: 'hits',
    says: /GET number 1 does not answer HITS 1/,
  },
  {
    lesson: 'lesson-14',
    name: 'priority-max-only',
    // 0..7 instead of 1..7: nlctrl shows the difference by name.
    mutations: [{ file: KV, find: /NLA_POLICY_RANGE\(NLA_U8, NLAB_KV_PRIORITY_MIN,\n\t+ *NLAB_KV_PRIORITY_MAX\)/, replace: 'NLA_POLICY_MAX(NLA_U8, NLAB_KV_PRIORITY_MAX)' }],
    check: 'introspect',
    says: /set's policy differs from the lesson's: PRIORITY is u8 range 0\.\.7/,
  },
  {
    lesson: 'lesson-14',
    name: 'client-selects-marks-only',
    // --unmark names no bit of the selector, so the kernel keeps the mark.
    mutations: [{ file: 'client/main.ts', find: 'const selector = bits([...mark, ...unmark]);', replace: 'const selector = bits(mark) || bits(unmark) ? bits(mark) : 0;' }],
    check: 'client-set',
    says: /marks are not ARCHIVED alone/,
  },
  {
    lesson: 'lesson-14',
    name: 'client-policy-index',
    // A nest printed as the index nlctrl gave it, not as the policy it points at.
    mutations: [
      {
        file: 'client/main.ts',
        find: 'out[name] = policyIndex !== undefined && spec?.nested ? { ...checks, policy: describe(policy, policyIndex, spec.nested) } : checks;',
        replace: 'out[name] = { ...checks, ...(policyIndex !== undefined ? { policyIndex } : {}) } as AttributePolicyJson;',
      },
    ],
    check: 'client-policy',
    says: /set\.do\.meta\.policy is undefined/,
  },
  {
    lesson: 'lesson-15',
    name: 'count-ignores-prefix',
    mutations: [{ file: KV, find: 'nlab_kv_matches(e, info->attrs[NLAB_A_PREFIX])', replace: 'nlab_kv_matches(e, NULL)' }],
    check: 'count',
    says: /COUNT with PREFIX "c" did not answer 2/,
  },
  {
    lesson: 'lesson-15',
    name: 'generated-table-edited',
    // DEL's entry in the generated table loses admin-perm: the spec says otherwise.
    mutations: [{ file: 'kernel/nlab_kv-nl.c', find: /(\.cmd\t+= NLAB_CMD_DEL,\n(?:.*\n){3}\t+\.flags\t+= )GENL_ADMIN_PERM \| /, replace: '$1' }],
    check: 'matches-spec',
    says: /command 3: nlctrl says do haspol, the spec admin-perm do haspol/,
  },
  {
    lesson: 'lesson-15',
    name: 'generated-policy-edited',
    // PRIORITY from 0, as a hand edit of the generated policy would have it.
    mutations: [{ file: 'kernel/nlab_kv-nl.c', find: 'NLA_POLICY_RANGE(NLA_U8, 1, 7)', replace: 'NLA_POLICY_MAX(NLA_U8, 7)' }],
    check: 'matches-spec',
    says: /set's policy: PRIORITY is u8 range 0\.\.7/,
  },
  {
    lesson: 'lesson-15',
    name: 'client-count-without-prefix',
    mutations: [{ file: 'client/main.ts', find: 'kv.count(socket, family, cmd.prefix === undefined ? {} : { prefix: cmd.prefix }, options)', replace: 'kv.count(socket, family, {}, options)' }],
    check: 'client-count',
    says: /`count c` did not print COUNT's reply/,
  },
  {
    lesson: 'lesson-16',
    name: 'table-edited-by-hand',
    // The generated table loses DEL's admin-perm: the spec still says it.
    mutations: [{ file: 'kernel/nlab_kv-nl.c', find: /(\.cmd\t+= NLAB_CMD_DEL,\n(?:.*\n){3}\t+\.flags\t+= )GENL_ADMIN_PERM \| /, replace: '$1' }],
    check: 'matches-spec',
    says: /command 3: nlctrl says do haspol, the spec admin-perm do haspol/,
  },
  {
    lesson: 'lesson-16',
    name: 'del-announced-as-set',
    // Every notification goes out as SET_NTF: YNL, reading by the spec, sees two set-ntf.
    mutations: [{ file: KV, find: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, cmd)', replace: 'genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, NLAB_CMD_SET_NTF)' }],
    check: 'ynl-same',
    says: /YNL's notifications are not a set-ntf and a del-ntf of n1/,
  },
  {
    lesson: 'lesson-16',
    name: 'port-replied-in-host-order',
    // Stored right, replied with its bytes swapped: sparse-clean, and every client reads 36895.
    mutations: [{ file: KV, find: 'nla_put_be16(skb, NLAB_A_PORT, e->port)', replace: 'nla_put_u16(skb, NLAB_A_PORT, be16_to_cpu(e->port))' }],
    check: 'pyroute2-same',
    says: /pyroute2's GET of q is not what its SET stored/,
  },
  {
    lesson: 'lesson-16',
    name: 'meta-error-leaks',
    // A META without OWNER is refused, and the entry allocated for it is never freed; only
    // the fuzzer's mutated SETs take that path in this lesson's grade.
    mutations: [{ file: KV, find: '\t\t\tkfree(e);\n\t\t\treturn err;\n', replace: '\t\t\treturn err;\n' }],
    check: 'fuzz',
    says: /nlab_kv: \d+ objects? of .* still allocated after rmmod, allocated at .*nlab_kv_nl_set_doit/,
  },
  {
    lesson: 'lesson-16',
    name: 'family-without-module',
    // Nothing pins the module while a dump is open: rmmod goes ahead under it.
    mutations: [{ file: KV, find: '\t.module\t\t= THIS_MODULE,\n', replace: '' }],
    check: 'unload-in-use',
    says: /rmmod unloaded the module while a LIST dump was in flight/,
  },
];

const kernel = findKernel();
// One guest for these mutants (none of them crashes it); the Oops test below boots its own.
const guest = sharedGuest();

describe('mutants of the nlab_kv lessons', () => {
  it.each(MUTANTS.map((m) => [`${m.lesson} ${m.name}`, m] as const))('%s', async (_, m) => {
    const lesson = mutantLesson(m.lesson, m.name, m.mutations);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: m.check, style: false, warm: guest.warm });
    const c = r.checks.find((x) => x.id === m.check)!;
    const detail = JSON.stringify({ status: c.status, message: c.message, fault: c.fault });
    expect(c.status, detail).toBe('fail');
    if (m.fault) expect(c.fault, detail).toBe(m.fault);
    expect(c.message, detail).toMatch(m.says);
    expect(r.health.filter((h) => h.kind === 'panic' || h.kind === 'oops'), detail).toEqual([]);
    guest.expectNoStray();
  }, 180_000);

  guest.stopAtEnd();
});

// The issue's own example: .policy without .maxattr, so the core hands the ops no attributes
// and every request oopses. The grade must report the Oops once (later checks point at it),
// stop rebooting for it, and still grade the student's client against the reference module.
describe('a module that oopses on every request', () => {
  it('reports the Oops once, within two boots, and still runs the client-only checks', async () => {
    // Every op keeps its .policy and loses its .maxattr; the family has none to fall back on.
    const lesson = mutantLesson('lesson-8', 'no-maxattr', [
      { file: KV, find: '\t\t.maxattr = NLAB_A_FLAGS,\n', replace: '' },
      { file: KV, find: GET_KEY_POLICY, replace: '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n' },
      { file: KV, find: '\t\t.doit\t= nlab_kv_del_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_KEY,\n', replace: '\t\t.doit\t= nlab_kv_del_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n' },
    ]);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, style: false });
    const detail = JSON.stringify(
      {
        boots: r.timings.boots,
        health: r.health.map((h) => `${h.check}: ${h.kind}: ${h.excerpt.split('\n')[0]}`),
        checks: r.checks.map((c) => ({ id: c.id, status: c.status, runs: c.runs.map((x) => `${x.pairing.kernel}/${x.pairing.client}: ${x.status} ${x.message ?? ''}`) })),
      },
      null,
      1,
    );
    const crashes = r.health.filter((h) => h.kind !== 'warning');
    expect(crashes.length, detail).toBe(1);
    expect(r.timings.boots, detail).toBeLessThanOrEqual(2);
    const clientOnly = lesson.checks.filter((c) => c.side === 'client' && !c.builtin);
    expect(clientOnly.length).toBeGreaterThan(0);
    for (const c of clientOnly) expect(r.checks.find((x) => x.id === c.id)!.status, detail).toBe('pass');
    const later = r.checks.filter((c) => c.status === 'fail' && c.id !== crashes[0]!.check && c.runs.some((x) => x.health.length));
    for (const c of later) expect(c.message, detail).toMatch(new RegExp(`same .* as in \`${crashes[0]!.check}\``));
    expect(liveCount()).toBe(0);
  }, 400_000);
});

// An Oops inside a generic netlink handler kills the task that sent the request while it holds
// genl_mutex: the fuzz check must still say where (its verdict leaves the guest before the
// health gate, whose rmmod waits for that mutex forever), and the host must not wait out the
// check's whole timeout for a guest that can no longer answer.
describe('a module that oopses on a request only the fuzzer sends', () => {
  it('fails `fuzz` with the window of datagrams, long before the check\'s own timeout', async () => {
    // META without OWNER is no longer refused: nla_strscpy() reads a NULL attribute.
    const lesson = mutantLesson('lesson-16', 'owner-unchecked', [{ file: KV, find: '\tif (NL_REQ_ATTR_CHECK(extack, nest, tb, NLAB_A_META_OWNER))\n\t\treturn -EINVAL;\n', replace: '' }]);
    const started = performance.now();
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: 'fuzz', style: false });
    const c = r.checks.find((x) => x.id === 'fuzz')!;
    const detail = JSON.stringify({ message: c.message, notes: c.notes, evidence: c.evidence, health: r.health.map((h) => h.excerpt.split('\n')[0]) }, null, 1);
    expect(c.status, detail).toBe('fail');
    expect(r.health.map((h) => h.kind), detail).toContain('oops');
    expect(r.health[0]!.excerpt, detail).toMatch(/nlab_kv_nl_set_doit/);
    expect(c.notes.join('\n'), detail).toMatch(/the check had found: the kernel logged an Oops among fuzz datagrams #\d+–#\d+/);
    expect(c.evidence?.notes?.some((n) => /npm run fuzz -- lesson-16 --starter --kernel \S+ --messages \d+/.test(n)), detail).toBe(true);
    const [job] = planJobs(lesson.checks.filter((x) => x.id === 'fuzz'), false, true);
    expect(performance.now() - started, detail).toBeLessThan(job!.timeoutMs);
    expect(liveCount()).toBe(0);
  }, 300_000);
});
