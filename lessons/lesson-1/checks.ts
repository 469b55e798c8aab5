// Lesson 1 checks: the module loads, greets, unloads and says goodbye.
import { defineChecks, ensure, loadModule, moduleLog } from 'netlink-lab/grader';

export default defineChecks({
  async greeting(t) {
    await loadModule(t);
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*hello`, 'i'), 1000);
    ensure(line, 'no greeting in the kernel log after insmod', {
      expected: `a line like "${t.module.name}: hello …"`,
      actual: await moduleLog(t),
    });
  },

  async farewell(t) {
    await loadModule(t);
    const r = await t.rmmod();
    ensure(r.code === 0, 'rmmod failed', { expected: 'exit status 0', actual: `exit status ${r.code}: ${r.stderr}` });
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*goodbye`, 'i'), 1000);
    ensure(line, 'no farewell in the kernel log after rmmod', {
      expected: `a line like "${t.module.name}: goodbye"`,
      actual: await moduleLog(t),
    });
  },
});
