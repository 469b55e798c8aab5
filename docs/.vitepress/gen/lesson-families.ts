// What the message viewer knows of each lesson's netlink family, read from the lesson's own
// reference client (solution/client/*.ts) with the TypeScript compiler: the attribute set it
// hands to defineAttributeSet(), its message types (NLAB_MSG, lessons on their own protocol
// unit) or generic netlink commands (NLAB_CMD / CMD), and FAMILY_NAME. Nothing is copied by
// hand, so a lesson that renames or adds an attribute shows up in the viewer by itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { solutionFiles } from '../../../grader/src/lesson/inherit.ts';
import { loadLessonFrom } from '../../../grader/src/lesson/load.ts';
import { lessonsDir, lessonTitle, listLessons, type Locale } from '../lessons.ts';

/** One attribute as the client defines it: its type number and its kind (a ScalarKind). */
export interface FamilyAttribute {
  type: number;
  kind: string;
}

export interface LessonFamily {
  lesson: string;
  /** The lesson's title in each locale, for the viewer's selector. */
  title: Record<Locale, string>;
  /** 'unit': the lesson's own protocol unit, types from NLAB_MSG; 'genl': a generic netlink family, commands from NLAB_CMD. */
  protocol: 'unit' | 'genl';
  /** The genl family's name (FAMILY_NAME), to recognise its id in an nlctrl reply. */
  familyName?: string;
  /** Message types (unit) or genl commands (genl): number → name. */
  names: Record<number, string>;
  attributes: Record<string, FamilyAttribute>;
}

const literalNumber = (e: ts.Expression): number | undefined =>
  ts.isNumericLiteral(e) ? Number(e.text) : undefined;
const literalString = (e: ts.Expression): string | undefined =>
  ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : undefined;
const unwrap = (e: ts.Expression): ts.Expression =>
  ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e;
const propName = (p: ts.ObjectLiteralElementLike): string | undefined =>
  ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;

/** `{ A: 1, B: 0x10 }` as entries; undefined unless every property is a number literal. */
function numberTable(e: ts.Expression): [string, number][] | undefined {
  const o = unwrap(e);
  if (!ts.isObjectLiteralExpression(o) || !o.properties.length) return undefined;
  const out: [string, number][] = [];
  for (const p of o.properties) {
    const name = propName(p);
    const value = name && ts.isPropertyAssignment(p) ? literalNumber(unwrap(p.initializer)) : undefined;
    if (name === undefined || value === undefined) return undefined;
    out.push([name, value]);
  }
  return out;
}

/** The attributes of `defineAttributeSet('…', { KEY: { type: 1, kind: 'string' }, … })`; undefined if not all literal. */
function attributeTable(call: ts.CallExpression): Record<string, FamilyAttribute> | undefined {
  const arg = call.arguments[1] && unwrap(call.arguments[1]);
  if (!arg || !ts.isObjectLiteralExpression(arg)) return undefined;
  const out: Record<string, FamilyAttribute> = {};
  for (const p of arg.properties) {
    const name = propName(p);
    const spec = name && ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    if (!name || !spec || !ts.isObjectLiteralExpression(spec)) return undefined;
    const field = (key: string) => spec.properties.find((q) => propName(q) === key) as ts.PropertyAssignment | undefined;
    const type = field('type') && literalNumber(unwrap(field('type')!.initializer));
    const kind = field('kind') && literalString(unwrap(field('kind')!.initializer));
    if (type === undefined || kind === undefined) return undefined;
    out[name] = { type, kind };
  }
  return out;
}

/** What one lesson's reference client says about its family; undefined for a lesson without one. */
export function lessonFamily(lesson: string, dir = lessonsDir()): Omit<LessonFamily, 'title'> | undefined {
  if (!existsSync(join(dir, lesson, 'lesson.json'))) return undefined;
  // The reference client's files, those the lesson takes from its base included.
  const client = [...solutionFiles(loadLessonFrom(dir, lesson))].filter(([rel]) => /^client\/[^/]+\.ts$/.test(rel));
  if (!client.length) return undefined;
  let attributes: Record<string, FamilyAttribute> | undefined;
  let unit: [string, number][] | undefined;
  let cmds: [string, number][] | undefined;
  let familyName: string | undefined;
  for (const [file, { text }] of client) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'defineAttributeSet') attributes ??= attributeTable(node);
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        const name = node.name.text;
        if (name === 'NLAB_MSG') unit ??= numberTable(node.initializer);
        if (name === 'NLAB_CMD' || name === 'CMD') cmds ??= numberTable(node.initializer);
        if (name === 'FAMILY_NAME') familyName ??= literalString(unwrap(node.initializer));
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const table = unit ?? cmds;
  if (!attributes || !table) return undefined;
  return {
    lesson,
    protocol: unit ? 'unit' : 'genl',
    ...(familyName ? { familyName } : {}),
    names: Object.fromEntries(table.map(([n, v]) => [v, n.toUpperCase()])),
    attributes,
  };
}

/** Every lesson whose reference client defines a family, in lesson order. */
export function lessonFamilies(dir = lessonsDir()): LessonFamily[] {
  return listLessons(dir).flatMap((l) => {
    const family = lessonFamily(l.id, dir);
    return family ? [{ ...family, title: { en: lessonTitle(l.id, 'en', l), 'zh-CN': lessonTitle(l.id, 'zh-CN', l) } }] : [];
  });
}
