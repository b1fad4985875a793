import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database';
import type { TemplateRulesTable } from '../db/schema';
import type { RuleDefinition, RuleParameters, TemplateRule } from '../domain/templateRules';

/** Explicit text → template rules per location, in the order they run (priority, then creation). */

function toRule(row: Selectable<TemplateRulesTable>): TemplateRule {
  return {
    id: row.id,
    label: row.label,
    priority: row.priority,
    enabled: row.enabled,
    pattern: row.pattern_kind === 'prefix' ? { kind: 'prefix', value: row.pattern } : { kind: 'regex', source: row.pattern, flags: row.pattern_flags },
    template: { name: row.template_name, language: row.template_language },
    parameters: row.parameters as RuleParameters,
    whenWindowOpen: row.when_window_open,
  };
}

function toColumns(rule: RuleDefinition) {
  return {
    label: rule.label ?? null,
    priority: rule.priority,
    enabled: rule.enabled,
    pattern_kind: rule.pattern.kind,
    pattern: rule.pattern.kind === 'prefix' ? rule.pattern.value : rule.pattern.source,
    pattern_flags: rule.pattern.kind === 'regex' ? (rule.pattern.flags ?? '') : '',
    template_name: rule.template.name,
    template_language: rule.template.language ?? null,
    parameters: JSON.stringify(rule.parameters),
    when_window_open: rule.whenWindowOpen,
  };
}

export async function listTemplateRules(db: Db, locationId: string): Promise<TemplateRule[]> {
  const rows = await db.selectFrom('template_rules').selectAll().where('location_id', '=', locationId).orderBy('priority').orderBy('created_at').orderBy('id').execute();
  return rows.map(toRule);
}

export async function findTemplateRule(db: Db, locationId: string, ruleId: string): Promise<TemplateRule | undefined> {
  const row = await db.selectFrom('template_rules').selectAll().where('location_id', '=', locationId).where('id', '=', ruleId).executeTakeFirst();
  return row ? toRule(row) : undefined;
}

export async function createTemplateRule(db: Db, locationId: string, rule: RuleDefinition): Promise<TemplateRule> {
  const id = `rule_${crypto.randomBytes(8).toString('hex')}`;
  await db.insertInto('template_rules').values({ id, location_id: locationId, ...toColumns(rule) }).execute();
  return { id, ...rule };
}

/** False when the rule does not exist (in this location). */
export async function replaceTemplateRule(db: Db, locationId: string, ruleId: string, rule: RuleDefinition): Promise<boolean> {
  const result = await db
    .updateTable('template_rules')
    .set({ ...toColumns(rule), updated_at: sql<Date>`now()` })
    .where('location_id', '=', locationId)
    .where('id', '=', ruleId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteTemplateRule(db: Db, locationId: string, ruleId: string): Promise<boolean> {
  const result = await db.deleteFrom('template_rules').where('location_id', '=', locationId).where('id', '=', ruleId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
