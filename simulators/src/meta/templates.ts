import { GraphError, invalidRequest } from './graphErrors';
import { newGraphId } from './ids';
import { isJsonObject, type JsonObject, type TemplateRequest } from './sendValidation';
import type { TemplateCategory, TemplateDefinition, TemplateParameterFormat, TemplateStatus } from './types';

/** Message templates per WABA: lookup for template sends (A.1, A.2) and the paged listing endpoint. */

export interface StoredTemplate {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameter_format: TemplateParameterFormat;
  components: unknown[];
}

export interface TemplatePage {
  data: Array<Partial<StoredTemplate>>;
  paging: { cursors: { before: string; after: string }; next?: string };
}

export interface TemplateListQuery {
  limit?: string;
  after?: string;
  fields?: string;
  name?: string;
  status?: string;
  language?: string;
  category?: string;
}

const DEFAULT_PAGE_SIZE = 25;
const encodeCursor = (templateId: string) => Buffer.from(`template:${templateId}`).toString('base64');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64').toString('utf8').replace(/^template:/, '');

export class TemplateStore {
  private readonly byWaba = new Map<string, StoredTemplate[]>();

  upsert(wabaId: string, definition: TemplateDefinition): StoredTemplate {
    const templates = this.templatesOf(wabaId);
    const existing = templates.find((t) => t.name === definition.name && t.language === definition.language);
    const stored: StoredTemplate = {
      id: definition.id ?? existing?.id ?? newGraphId(),
      name: definition.name,
      language: definition.language,
      status: definition.status ?? 'APPROVED',
      category: definition.category ?? 'UTILITY',
      parameter_format: definition.parameter_format ?? 'POSITIONAL',
      components: definition.components,
    };
    if (existing) templates.splice(templates.indexOf(existing), 1, stored);
    else templates.push(stored);
    return stored;
  }

  setStatus(wabaId: string, name: string, language: string, status: TemplateStatus): void {
    const template = this.find(wabaId, name, language);
    if (!template) throw new Error(`No template ${name}/${language} in WABA ${wabaId}`);
    template.status = status;
  }

  find(wabaId: string, name: string, language: string): StoredTemplate | undefined {
    return this.byWaba.get(wabaId)?.find((t) => t.name === name && t.language === language);
  }

  /** GET /{waba-id}/message_templates: cursor paging with `next` as a full URL, absent on the last page. */
  list(wabaId: string, query: TemplateListQuery, pageUrl: string): TemplatePage {
    const limit = Math.max(1, Math.min(Number.parseInt(query.limit ?? '', 10) || DEFAULT_PAGE_SIZE, 1000));
    const matching = this.templatesOf(wabaId).filter(
      (t) =>
        (!query.name || t.name.includes(query.name)) &&
        (!query.status || t.status === query.status.toUpperCase()) &&
        (!query.language || t.language === query.language) &&
        (!query.category || t.category === query.category.toUpperCase()),
    );
    let start = 0;
    if (query.after) {
      const afterId = decodeCursor(query.after);
      const index = matching.findIndex((t) => t.id === afterId);
      if (index < 0) throw invalidRequest(100, `Param after is not a valid cursor.`);
      start = index + 1;
    }
    const page = matching.slice(start, start + limit);
    const first = page[0];
    const last = page[page.length - 1];
    const cursors = { before: first ? encodeCursor(first.id) : '', after: last ? encodeCursor(last.id) : '' };
    const hasMore = start + limit < matching.length;
    let next: string | undefined;
    if (hasMore && last) {
      const url = new URL(pageUrl);
      url.searchParams.set('limit', String(limit));
      url.searchParams.set('after', encodeCursor(last.id));
      next = url.toString();
    }
    return { data: page.map((t) => selectFields(t, query.fields)), paging: { cursors, ...(next ? { next } : {}) } };
  }

  private templatesOf(wabaId: string): StoredTemplate[] {
    let templates = this.byWaba.get(wabaId);
    if (!templates) {
      templates = [];
      this.byWaba.set(wabaId, templates);
    }
    return templates;
  }
}

function selectFields(template: StoredTemplate, fields: string | undefined): Partial<StoredTemplate> {
  const { id, name, language, status, category, parameter_format, components } = template;
  const all = { name, parameter_format, components, language, status, category, id };
  if (!fields) return all;
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  wanted.add('id'); // Graph always returns the id
  return Object.fromEntries(Object.entries(all).filter(([key]) => wanted.has(key)));
}

/** Distinct {{1}} / {{name}} placeholders in a template component's text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g), (match) => match[1] ?? ''))];
}

function templateComponentText(template: StoredTemplate, type: 'header' | 'body'): string {
  for (const component of template.components) {
    if (!isJsonObject(component) || String(component.type).toLowerCase() !== type) continue;
    if (type === 'header' && component.format !== undefined && String(component.format).toUpperCase() !== 'TEXT') return '';
    return typeof component.text === 'string' ? component.text : '';
  }
  return '';
}

function sentParameters(request: TemplateRequest, type: 'header' | 'body'): JsonObject[] {
  const component = request.components.find((c) => String(c.type).toLowerCase() === type);
  const parameters = component?.parameters;
  return Array.isArray(parameters) ? parameters.filter(isJsonObject) : [];
}

function checkParameters(template: StoredTemplate, request: TemplateRequest, type: 'header' | 'body'): void {
  const expected = placeholdersIn(templateComponentText(template, type));
  const given = sentParameters(request, type);
  // Media headers take a media parameter, not a text placeholder, so only text parameters count for headers.
  const counted = type === 'header' ? given.filter((p) => p.type === 'text') : given;
  if (counted.length !== expected.length) {
    throw invalidRequest(
      132000,
      `${type}: number of localizable_params (${counted.length}) does not match the expected number of params (${expected.length})`,
    );
  }
  if (template.parameter_format !== 'NAMED') return;
  const names = counted.map((p) => p.parameter_name);
  const missing = expected.filter((name) => !names.includes(name));
  if (missing.length > 0 || names.some((name) => typeof name !== 'string')) {
    throw invalidRequest(132000, `${type}: parameter_name values must match the template's named params (${expected.join(', ')})`);
  }
}

/** Meta's template checks: existence in that language, status, then parameter counts. */
export function checkTemplateSend(template: StoredTemplate | undefined, request: TemplateRequest): StoredTemplate {
  if (!template) {
    throw new GraphError({
      httpStatus: 404,
      code: 132001,
      details: `template name (${request.name}) does not exist in ${request.languageCode}`,
    });
  }
  if (template.status === 'PAUSED') throw invalidRequest(132015, `Template ${template.name} is paused due to low quality.`);
  if (template.status === 'DISABLED') throw invalidRequest(132016, `Template ${template.name} has been disabled due to low quality.`);
  if (template.status !== 'APPROVED') {
    throw new GraphError({
      httpStatus: 404,
      code: 132001,
      details: `template name (${request.name}) in ${request.languageCode} has status ${template.status} and is not approved`,
    });
  }
  checkParameters(template, request, 'header');
  checkParameters(template, request, 'body');
  return template;
}
