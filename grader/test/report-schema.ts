// Validates reports against grader/report.schema.json (shared by the tests that grade for real).
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import type { GradeReport } from '../src/report/types.js';

const Ajv = AjvModule.default ?? AjvModule;
const schema = JSON.parse(readFileSync(new URL('../report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Schema errors of a report as it would be printed by --json (after a JSON round trip). */
export function schemaErrors(report: GradeReport): string[] {
  const ok = validate(JSON.parse(JSON.stringify(report)));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
