// Lesson 1 checks: the module loads, greets, unloads and says goodbye.
import { defineChecks, ensure, type CheckContext } from 'netlink-lab/grader';

/** The module's own log lines (pr_fmt prefixes them with its name). */
async function moduleLines(t: CheckContext): Promise<string[]> {
  return (await t.kernelLog()).filter((l) => l.startsWith(`${t.module.name}: `));
}

async function load(t: CheckContext): Promise<void> {
  const r = await t.insmod();
  ensure(r.code === 0, 'insmod failed', { expected: 'exit status 0', actual: `exit status ${r.code}: ${r.stderr}` });
}

export default defineChecks({
  async loads(t) {
    await load(t);
    const loaded = await t.loadedModules();
    ensure(loaded.includes(t.module.name), `${t.module.name} is not in /proc/modules after insmod`, { expected: t.module.name, actual: loaded });
  },

  async greeting(t) {
    await load(t);
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*hello`, 'i'), 1000);
    ensure(line, 'no greeting in the kernel log after insmod', {
      expected: `a line like "${t.module.name}: hello …"`,
      actual: (await moduleLines(t)).length ? await moduleLines(t) : '(the module logged nothing)',
    });
  },

  async farewell(t) {
    await load(t);
    const r = await t.rmmod();
    ensure(r.code === 0, 'rmmod failed', { expected: 'exit status 0', actual: `exit status ${r.code}: ${r.stderr}` });
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*goodbye`, 'i'), 1000);
    ensure(line, 'no farewell in the kernel log after rmmod', {
      expected: `a line like "${t.module.name}: goodbye"`,
      actual: (await moduleLines(t)).length ? await moduleLines(t) : '(the module logged nothing)',
    });
  },
});
