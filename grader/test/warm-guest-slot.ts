// Imported first by warm-guest.test.ts: gives that file a shared-guest slot of its own before
// any lab module reads NETLINK_LAB_SHARED_GUEST, so a learner's warm guest is never touched.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLOT = mkdtempSync(join(tmpdir(), 'warm-guest-'));
process.env.NETLINK_LAB_SHARED_GUEST = SLOT;
