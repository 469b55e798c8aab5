import { describe, expect, it } from 'vitest';
import { MarkerError, markerLanguage, todoBlocks, toSolutionView, toStarter } from '../src/lesson/todo-markers.js';

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

describe('TODO markers in YAML', () => {
  const YAML = [
    'operations:',
    '  list:',
    '    -',
    '      name: list',
    '      doc: Every entry.',
    '      # TODO 4: Give "list" its dump,',
    '      # with the prefix in the request.',
    '      dump:',
    '        request:',
    '          attributes: [ prefix ]',
    '      # STARTER: dump: {}',
    '      # END TODO',
    '# TODO 5: Declare the group.',
    'mcast-groups:',
    '  list: [ { name: events } ]',
    '#END TODO',
    '',
  ].join('\n');

  it('knows .yaml and .yml files', () => {
    expect(markerLanguage('client/nlab_kv.yaml')).toBe('yaml');
    expect(markerLanguage('spec.yml')).toBe('yaml');
    expect(markerLanguage('lesson.json')).toBeUndefined();
  });

  it('joins continued # lines into the TODO text and collects blocks', () => {
    expect(todoBlocks(YAML, 'yaml').map((b) => [b.n, b.text, b.line, b.solution.length, b.starter])).toEqual([
      [4, 'Give "list" its dump, with the prefix in the request.', 6, 3, ['      dump: {}']],
      [5, 'Declare the group.', 13, 2, []],
    ]);
  });

  it('generates the starter: comments and stubs kept, indentation of STARTER lines kept', () => {
    expect(toStarter(YAML, 'yaml')).toBe(
      ['operations:', '  list:', '    -', '      name: list', '      doc: Every entry.', '      # TODO 4: Give "list" its dump,', '      # with the prefix in the request.', '      dump: {}', '# TODO 5: Declare the group.', ''].join('\n'),
    );
  });

  it('shows a reader the solution without markers or stubs', () => {
    expect(toSolutionView(YAML, 'yaml')).toBe(
      ['operations:', '  list:', '    -', '      name: list', '      doc: Every entry.', '      dump:', '        request:', '          attributes: [ prefix ]', 'mcast-groups:', '  list: [ { name: events } ]', ''].join('\n'),
    );
  });

  it('leaves ordinary comments alone and rejects unbalanced markers', () => {
    expect(toStarter('# just a comment\nkey: 1 # TODO 1: not a marker\n', 'yaml')).toBe('# just a comment\nkey: 1 # TODO 1: not a marker\n');
    expect(() => toStarter('# TODO 1: x\nkey: 1\n', 'yaml', 'a.yaml')).toThrow(/a\.yaml:1: TODO 1 has no END TODO/);
    expect(() => toStarter('key: 1\n# END TODO\n', 'yaml', 'a.yaml')).toThrow(/a\.yaml:2: marker outside/);
    expect(() => toStarter('# STARTER: key: 1\n', 'yaml', 'a.yaml')).toThrow(/a\.yaml:1: marker outside/);
    expect(() => toStarter('# TODO 1: x\n# TODO 2: y\n# END TODO\n', 'yaml', 'a.yaml')).toThrow(MarkerError);
  });
});
