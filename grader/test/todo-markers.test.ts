import { describe, expect, it } from 'vitest';
import { MarkerError, todoBlocks, toSolutionView, toStarter } from '../src/lesson/todo-markers.js';

const C = [
  'static int __init f_init(void)',
  '{',
  '\t/*',
  '\t * TODO 1: Create the socket with',
  '\t * netlink_kernel_create().',
  '\t */',
  '\tsk = netlink_kernel_create(&init_net, 31, &cfg);',
  '\t/* STARTER: sk = NULL; */',
  '\t/* END TODO */',
  '\t/* TODO 2: Check it. */',
  '\tif (!sk)',
  '\t\treturn -ENOMEM;',
  '\t/* END TODO */',
  '\treturn 0;',
  '}',
].join('\n');

describe('TODO markers in C', () => {
  it('keeps the TODO comment and the stub, drops the solution', () => {
    expect(toStarter(C, 'c')).toBe(
      ['static int __init f_init(void)', '{', '\t/*', '\t * TODO 1: Create the socket with', '\t * netlink_kernel_create().', '\t */', '\tsk = NULL;', '\t/* TODO 2: Check it. */', '\treturn 0;', '}'].join('\n'),
    );
  });

  it('shows a reader the solution without markers or stubs', () => {
    expect(toSolutionView(C, 'c')).toBe(
      ['static int __init f_init(void)', '{', '\tsk = netlink_kernel_create(&init_net, 31, &cfg);', '\tif (!sk)', '\t\treturn -ENOMEM;', '\treturn 0;', '}'].join('\n'),
    );
  });

  it('collects each block with its number, text and line', () => {
    expect(todoBlocks(C, 'c').map((b) => [b.n, b.text, b.line, b.solution.length])).toEqual([
      [1, 'Create the socket with netlink_kernel_create().', 3, 1],
      [2, 'Check it.', 10, 2],
    ]);
  });

  it('rejects unbalanced markers with file and line', () => {
    expect(() => toStarter('/* TODO 1: x */\ncode;\n', 'c', 'a.c')).toThrow(MarkerError);
    expect(() => toStarter('/* TODO 1: x */\ncode;\n', 'c', 'a.c')).toThrow(/a\.c:1: TODO 1 has no END TODO/);
    expect(() => toStarter('code;\n/* END TODO */\n', 'c', 'a.c')).toThrow(/a\.c:2: marker outside/);
    expect(() => toStarter('/* TODO 1: x */\n/* TODO 2: y */\n/* END TODO */\n', 'c', 'a.c')).toThrow(/TODO inside TODO 1/);
  });
});

describe('TODO markers in TypeScript', () => {
  const TS = ['const s = open();', '// TODO 3: Send "Hello" with socket.send().', '// Port 0 is the kernel.', "s.send('Hello');", '// STARTER: void s;', '// END TODO', 's.close();'].join('\n');

  it('joins continued comment lines into the TODO text', () => {
    expect(todoBlocks(TS, 'ts')[0]!.text).toBe('Send "Hello" with socket.send(). Port 0 is the kernel.');
  });

  it('generates the starter', () => {
    expect(toStarter(TS, 'ts')).toBe(['const s = open();', '// TODO 3: Send "Hello" with socket.send().', '// Port 0 is the kernel.', 'void s;', 's.close();'].join('\n'));
  });
});
