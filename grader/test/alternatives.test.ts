// A grader that fails idiomatic code is as wrong as one that passes broken code: one correct
// solution per Part, written differently from the reference, graded as a student's starter
// (the full cross-matrix against the reference), must get full marks on both kernels.
import { describe, expect, it } from 'vitest';
import { KNOWN_KERNELS } from '../../kernel/src/index.js';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import { gradeLesson } from '../src/grade.js';
import { mutantLesson, type Mutation } from './mutant-lesson.js';
import { sharedGuest } from './shared-guest.js';

interface Alternative {
  lesson: string;
  name: string;
  /** What it does differently, and why that is still right. */
  why: string;
  mutations: Mutation[];
}

const ALTERNATIVES: Alternative[] = [
  {
    lesson: 'lesson-3',
    name: 'alt-reply-names-requester',
    why: "Part 1: the answer's nlmsg_pid is the requester's port, as netlink_ack() and genlmsg_put_reply() write it, not 0",
    mutations: [{ file: 'kernel/nlab_reply.c', find: 'nlh = nlmsg_put(skb, 0, req->nlmsg_seq, NLAB_MSG_HELLO,', replace: 'nlh = nlmsg_put(skb, req->nlmsg_pid, req->nlmsg_seq, NLAB_MSG_HELLO,' }],
  },
  {
    lesson: 'lesson-5',
    name: 'alt-manual-walk',
    why: "Part 2: the module walks the datagram with nlmsg_ok()/nlmsg_next() and sends the ACKs with netlink_ack() itself, as netlink_rcv_skb() would",
    mutations: [
      {
        file: 'kernel/nlab_reply.c',
        find: '\tnetlink_rcv_skb(skb, nlab_rcv_msg);\n',
        replace: [
          '\tstruct nlmsghdr *nlh = nlmsg_hdr(skb);',
          '\tint rem = skb->len;',
          '',
          '\tfor (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {',
          '\t\tstruct netlink_ext_ack extack = {};',
          '\t\tint err = 0;',
          '',
          '\t\tif ((nlh->nlmsg_flags & NLM_F_REQUEST) && nlh->nlmsg_type >= NLMSG_MIN_TYPE)',
          '\t\t\terr = nlab_rcv_msg(skb, nlh, &extack);',
          '\t\tif (err || (nlh->nlmsg_flags & NLM_F_ACK))',
          '\t\t\tnetlink_ack(skb, nlh, err, &extack);',
          '\t}',
          '',
        ].join('\n'),
      },
    ],
  },
  {
    lesson: 'lesson-6',
    name: 'alt-reply-pid-zero',
    why: "Part 2: the GET reply's nlmsg_pid is 0, as lesson 3's module writes it, not the requester's port as the solution (and netlink_ack()) does: a receiver knows the kernel's messages by their source port, so both are right",
    mutations: [{ file: 'kernel/nlab_kv.c', find: 'rnlh = nlmsg_put(rskb, NETLINK_CB(skb).portid, nlh->nlmsg_seq,', replace: 'rnlh = nlmsg_put(rskb, 0, nlh->nlmsg_seq,' }],
  },
  {
    lesson: 'lesson-8',
    name: 'alt-put-and-unicast',
    why: "Part 3: the GET answer is built with genlmsg_put() from snd_portid and snd_seq and sent with genlmsg_unicast(), which is what genlmsg_put_reply() and genlmsg_reply() do; and GET's and DEL's policy is full-size with VALUE and FLAGS marked NLA_REJECT, which refuses them as a shorter .maxattr does",
    mutations: [
      { file: 'kernel/nlab_kv.c', find: 'hdr = genlmsg_put_reply(rskb, info, &nlab_kv_family, 0, NLAB_CMD_GET);', replace: 'hdr = genlmsg_put(rskb, info->snd_portid, info->snd_seq, &nlab_kv_family, 0, NLAB_CMD_GET);' },
      { file: 'kernel/nlab_kv.c', find: '\treturn genlmsg_reply(rskb, info);\n', replace: '\treturn genlmsg_unicast(genl_info_net(info), rskb, info->snd_portid);\n' },
      {
        file: 'kernel/nlab_kv.c',
        find: 'static const struct nla_policy nlab_kv_key_policy[NLAB_A_KEY + 1] = {\n\t[NLAB_A_KEY]\t= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },\n',
        replace: 'static const struct nla_policy nlab_kv_key_policy[NLAB_A_MAX + 1] = {\n\t[NLAB_A_KEY]\t= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },\n\t[NLAB_A_VALUE]\t= { .type = NLA_REJECT },\n\t[NLAB_A_FLAGS]\t= { .type = NLA_REJECT },\n',
      },
      ...(['get', 'del'] as const).map((cmd) => ({
        file: 'kernel/nlab_kv.c',
        find: `\t\t.doit\t= nlab_kv_${cmd}_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_KEY,\n`,
        replace: `\t\t.doit\t= nlab_kv_${cmd}_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_MAX,\n`,
      })),
    ],
  },
  {
    lesson: 'lesson-9',
    name: 'alt-dump-args',
    why: "Part 4: the dump keeps its position in cb->args[0], the older home of a dump's state, instead of a struct in cb->ctx",
    mutations: [
      { file: 'kernel/nlab_kv.c', find: '\tstruct nlab_kv_dump_ctx *ctx = (struct nlab_kv_dump_ctx *)cb->ctx;\n', replace: '' },
      { file: 'kernel/nlab_kv.c', find: 'if (idx++ < ctx->skip)', replace: 'if (idx++ < (unsigned long)cb->args[0])' },
      { file: 'kernel/nlab_kv.c', find: '\t\tctx->skip++;\n', replace: '\t\tcb->args[0]++;\n' },
    ],
  },  {
    lesson: 'lesson-13',
    name: 'alt-one-walk-meta',
    why: "Part 5: META is read in one nla_for_each_nested() walk with a switch on nla_type(), with no table (the core's nested policy has checked every attribute already), a missing OWNER is reported with NL_SET_ERR_ATTR_MISS(), which is what NL_REQ_ATTR_CHECK() expands to, and the reply's nest is opened with nla_nest_start_noflag() and NLA_F_NESTED spelled out, which is what nla_nest_start() does",
    mutations: [
      {
        file: 'kernel/nlab_kv.c',
        find: /\tstruct nlattr \*tb\[NLAB_A_META_TAGS \+ 1\];\n[\s\S]*?\treturn 0;\n\}\n\nstatic int nlab_kv_set_doit/,
        replace: [
          '\tconst struct nlattr *attr;',
          '\tbool has_owner = false;',
          '\tint rem;',
          '',
          '\tnla_for_each_nested(attr, nest, rem) {',
          '\t\tswitch (nla_type(attr)) {',
          '\t\tcase NLAB_A_META_OWNER:',
          '\t\t\tnla_strscpy(m->owner, attr, sizeof(m->owner));',
          '\t\t\thas_owner = true;',
          '\t\t\tbreak;',
          '\t\tcase NLAB_A_META_VERSION:',
          '\t\t\tm->version = nla_get_u64(attr);',
          '\t\t\tbreak;',
          '\t\tcase NLAB_A_META_TAGS:',
          '\t\t\tif (m->n_tags == NLAB_KV_TAGS_MAX) {',
          '\t\t\t\tNL_SET_ERR_MSG_ATTR(extack, attr, "too many tags");',
          '\t\t\t\treturn -E2BIG;',
          '\t\t\t}',
          '\t\t\tnla_strscpy(m->tags[m->n_tags++], attr, sizeof(m->tags[0]));',
          '\t\t\tbreak;',
          '\t\t}',
          '\t}',
          '\tif (!has_owner) {',
          '\t\tNL_SET_ERR_ATTR_MISS(extack, nest, NLAB_A_META_OWNER);',
          '\t\treturn -EINVAL;',
          '\t}',
          '\treturn 0;',
          '}',
          '',
          'static int nlab_kv_set_doit',
        ].join('\n'),
      },
      { file: 'kernel/nlab_kv.c', find: 'nest = nla_nest_start(skb, NLAB_A_META);', replace: 'nest = nla_nest_start_noflag(skb, NLAB_A_META | NLA_F_NESTED);' },
    ],
  },
  {
    lesson: 'lesson-14',
    name: 'alt-host-order-port-uint-hits',
    why: "Part 5: PRIORITY's bounds sit in a struct netlink_range_validation (NLA_POLICY_FULL_RANGE; not const, since 6.1's .range is a plain pointer), the entry keeps PORT in host order and converts at both ends, MARKS are merged with an XOR that takes only the selected bits, HITS goes out as an NLA_UINT with nla_put_uint() where the kernel has it (4 bytes, no PAD), and the client builds the bitfield in a loop and the policy with Object.fromEntries()",
    mutations: [
      {
        file: 'kernel/nlab_kv.c',
        find: 'static const struct nla_policy nlab_kv_set_policy[NLAB_A_MARKS + 1] = {',
        replace: [
          '/* Not const: 6.1\'s struct nla_policy points at it through a plain pointer. */',
          'static struct netlink_range_validation nlab_kv_priority_range = {',
          '\t.min = NLAB_KV_PRIORITY_MIN,',
          '\t.max = NLAB_KV_PRIORITY_MAX,',
          '};',
          '',
          'static const struct nla_policy nlab_kv_set_policy[NLAB_A_MARKS + 1] = {',
        ].join('\n'),
      },
      {
        file: 'kernel/nlab_kv.c',
        find: /NLA_POLICY_RANGE\(NLA_U8, NLAB_KV_PRIORITY_MIN,\n\t+ *NLAB_KV_PRIORITY_MAX\)/,
        replace: 'NLA_POLICY_FULL_RANGE(NLA_U8, &nlab_kv_priority_range)',
      },
      { file: 'kernel/nlab_kv.c', find: '\t__be16 port;', replace: '\tu16 port;' },
      { file: 'kernel/nlab_kv.c', find: 'nla_total_size(sizeof(__be16))', replace: 'nla_total_size(sizeof(u16))' },
      { file: 'kernel/nlab_kv.c', find: 'nla_put_be16(skb, NLAB_A_PORT, e->port)', replace: 'nla_put_be16(skb, NLAB_A_PORT, htons(e->port))' },
      { file: 'kernel/nlab_kv.c', find: 'e->port = nla_get_be16(tb[NLAB_A_PORT]);', replace: 'e->port = ntohs(nla_get_be16(tb[NLAB_A_PORT]));' },
      {
        file: 'kernel/nlab_kv.c',
        find: /\te->marks = \(\(old \? old->marks : 0\) & ~marks\.selector\) \| marks\.value;/,
        replace: '\te->marks = old ? old->marks : 0;\n\te->marks ^= (e->marks ^ marks.value) & marks.selector;',
      },
      { file: 'kernel/nlab_kv.c', find: 'nla_put_u64_64bit(skb, NLAB_A_HITS, e->hits, NLAB_A_PAD))', replace: 'nlab_kv_put_hits(skb, e->hits))' },
      {
        file: 'kernel/nlab_kv.c',
        find: 'static int nlab_kv_fill_props(',
        replace: [
          '/* HITS as an NLA_UINT where the kernel has one: 4 bytes while it fits. */',
          'static int nlab_kv_put_hits(struct sk_buff *skb, u64 hits)',
          '{',
          '#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE',
          '\treturn nla_put_uint(skb, NLAB_A_HITS, hits);',
          '#else',
          '\treturn nla_put_u64_64bit(skb, NLAB_A_HITS, hits, NLAB_A_PAD);',
          '#endif',
          '}',
          '',
          'static int nlab_kv_fill_props(',
        ].join('\n'),
      },
      {
        file: 'client/main.ts',
        find: /      const bits = \(names: Mark\[\]\): number => [^\n]*\n      const selector = [^\n]*\n/,
        replace: [
          '      let set = 0;',
          '      let selector = 0;',
          '      for (const m of mark) set |= kv.MARKS[m];',
          '      for (const m of [...mark, ...unmark]) selector |= kv.MARKS[m];',
          '',
        ].join('\n'),
      },
      { file: 'client/main.ts', find: '{ marks: { value: bits(mark), selector } }', replace: '{ marks: { value: set, selector } }' },
      {
        file: 'client/main.ts',
        find: /  const out: PolicyJson = \{\};\n  for \(const \[type, info\] of policy\.policies[\s\S]*?\n  return out;\n/,
        replace: [
          '  const attrs = [...(policy.policies.get(index) ?? new Map<number, PolicyInfo>())];',
          '  return Object.fromEntries(',
          '    attrs.map(([type, { policyIndex, policyMaxType: _max, ...checks }]) => {',
          '      const entry = set.byType.get(type);',
          '      const nested = entry?.[1].nested;',
          '      const inner = policyIndex === undefined || !nested ? {} : { policy: describe(policy, policyIndex, nested) };',
          '      return [entry?.[0] ?? `${type}`, { ...checks, ...inner }];',
          '    }),',
          '  );',
          '',
        ].join('\n'),
      },
    ],
  },
  {
    lesson: 'lesson-15',
    name: 'alt-compat-ops-count-helper',
    why: "Part 5, spec first: on 6.1 the module declares the members of struct genl_split_ops the generated table sets and copies that table into genl_ops at init, instead of renaming the type; COUNT is counted by a helper and answered with genlmsg_put() to the requester's port and seq; the client spreads the prefix in",
    mutations: [
      {
        file: 'kernel/nlab_kv.c',
        find: '#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE\n#define genl_split_ops genl_ops\n#endif\n',
        replace: [
          '#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE',
          '/* The members of 6.2\'s struct genl_split_ops that the generated table sets. */',
          'struct genl_split_ops {',
          '\tint (*doit)(struct sk_buff *skb, struct genl_info *info);',
          '\tint (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);',
          '\tconst struct nla_policy *policy;',
          '\tunsigned int maxattr;',
          '\tu8 cmd;',
          '\tu8 flags;',
          '};',
          '#endif',
          '',
        ].join('\n'),
      },
      {
        file: 'kernel/nlab_kv.c',
        find: /int nlab_kv_nl_count_doit\(struct sk_buff \*skb, struct genl_info \*info\)\n\{[\s\S]*?\n\}\n/,
        replace: [
          '/* Entries of @kv whose key starts with @prefix (all without one). */',
          'static u32 nlab_kv_count(struct nlab_kv_net *kv, const struct nlattr *prefix)',
          '{',
          '\tconst struct nlab_kv_entry *e;',
          '\tu32 n = 0;',
          '',
          '\tmutex_lock(&kv->lock);',
          '\tlist_for_each_entry(e, &kv->entries, node)',
          '\t\tn += nlab_kv_matches(e, prefix);',
          '\tmutex_unlock(&kv->lock);',
          '\treturn n;',
          '}',
          '',
          'int nlab_kv_nl_count_doit(struct sk_buff *skb, struct genl_info *info)',
          '{',
          '\tu32 n = nlab_kv_count(nlab_kv_net(genl_info_net(info)),',
          '\t\t\t      info->attrs[NLAB_A_PREFIX]);',
          '\tstruct sk_buff *rskb;',
          '\tvoid *hdr;',
          '',
          '\trskb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);',
          '\tif (!rskb)',
          '\t\treturn -ENOMEM;',
          '\thdr = genlmsg_put(rskb, info->snd_portid, info->snd_seq, &nlab_kv_family,',
          '\t\t\t  0, NLAB_CMD_COUNT);',
          '\tif (!hdr || nla_put_u32(rskb, NLAB_A_COUNT, n)) {',
          '\t\tnlmsg_free(rskb);',
          '\t\treturn -EMSGSIZE;',
          '\t}',
          '\tgenlmsg_end(rskb, hdr);',
          '\treturn genlmsg_unicast(genl_info_net(info), rskb, info->snd_portid);',
          '}',
          '',
          '#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE',
          '/* 6.1 registers genl_ops: the generated table, copied at init. */',
          'static struct genl_ops nlab_kv_ops[ARRAY_SIZE(nlab_kv_nl_ops)] __ro_after_init;',
          '',
          'static void __init nlab_kv_fill_ops(void)',
          '{',
          '\tunsigned int i;',
          '',
          '\tfor (i = 0; i < ARRAY_SIZE(nlab_kv_nl_ops); i++) {',
          '\t\tnlab_kv_ops[i].cmd = nlab_kv_nl_ops[i].cmd;',
          '\t\tnlab_kv_ops[i].doit = nlab_kv_nl_ops[i].doit;',
          '\t\tnlab_kv_ops[i].dumpit = nlab_kv_nl_ops[i].dumpit;',
          '\t\tnlab_kv_ops[i].policy = nlab_kv_nl_ops[i].policy;',
          '\t\tnlab_kv_ops[i].maxattr = nlab_kv_nl_ops[i].maxattr;',
          '\t\tnlab_kv_ops[i].flags = nlab_kv_nl_ops[i].flags;',
          '\t}',
          '}',
          '#endif',
          '',
        ].join('\n'),
      },
      {
        file: 'kernel/nlab_kv.c',
        find: '\t.ops\t\t= nlab_kv_nl_ops,\n\t.n_ops\t\t= ARRAY_SIZE(nlab_kv_nl_ops),\n',
        replace: '\t.ops\t\t= nlab_kv_ops,\n\t.n_ops\t\t= ARRAY_SIZE(nlab_kv_ops),\n',
      },
      {
        file: 'kernel/nlab_kv.c',
        find: '\terr = genl_register_family(&nlab_kv_family);\n',
        replace: '#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE\n\tnlab_kv_fill_ops();\n#endif\n\terr = genl_register_family(&nlab_kv_family);\n',
      },
      {
        file: 'client/main.ts',
        find: 'kv.count(socket, family, cmd.prefix === undefined ? {} : { prefix: cmd.prefix }, options)',
        replace: 'kv.count(socket, family, { ...(cmd.prefix !== undefined && { prefix: cmd.prefix }) }, options)',
      },
    ],
  },
  {
    lesson: 'lesson-16',
    name: 'alt-props-first-memcpy-port',
    why: "Part 5, ready for review: replies carry the properties before META (attribute order is not part of the contract, and no client may depend on it), the lookup asserts its lock with lockdep_assert_held_once(), and PORT is copied into its __be16 with nla_memcpy(), which sparse accepts as well",
    mutations: [
      { file: 'kernel/nlab_kv.c', find: 'return nlab_kv_fill_meta(skb, e) ?: nlab_kv_fill_props(skb, e);', replace: 'return nlab_kv_fill_props(skb, e) ?: nlab_kv_fill_meta(skb, e);' },
      { file: 'kernel/nlab_kv.c', find: '\tlockdep_assert_held(&kv->lock);\n\tlist_for_each_entry(e, &kv->entries, node)\n\t\tif (!strcmp(e->key, key))', replace: '\tlockdep_assert_held_once(&kv->lock);\n\tlist_for_each_entry(e, &kv->entries, node)\n\t\tif (!strcmp(e->key, key))' },
      { file: 'kernel/nlab_kv.c', find: '\t\te->port = nla_get_be16(tb[NLAB_A_PORT]);', replace: '\t\tnla_memcpy(&e->port, tb[NLAB_A_PORT], sizeof(e->port));' },
    ],
  },
];

describe.each(KNOWN_KERNELS.map((k) => kernelForTest(k.selector)))('correct alternatives on $title', (t) => {
  const kernel = t.kernel!;
  const guest = sharedGuest();
  it.each(ALTERNATIVES.map((a) => [a.name, a] as const))('%s gets full marks', async (name, a) => {
    const lesson = mutantLesson(a.lesson, name, a.mutations);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, style: false, warm: guest.warm });
    const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);
    expect(failed, a.why).toEqual([]);
    expect(r.score).toBe(r.total);
    expect(r.health).toEqual([]);
    guest.expectNoStray();
  }, 600_000);

  guest.stopAtEnd();
});
