// The nlab_kv family (lessons 8–12) as the benchmarks and the load test speak it.

import { defineAttributeSet } from 'netlink-lab/client';

export const CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4 } as const;

export const kvAttributes = defineAttributeSet('nlab_kv', {
  KEY: { type: 1, kind: 'string' },
  VALUE: { type: 2, kind: 'binary' },
  FLAGS: { type: 3, kind: 'u32' },
  PREFIX: { type: 4, kind: 'string' },
});
