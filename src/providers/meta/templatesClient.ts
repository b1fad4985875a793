import type { LocationRow } from '../../db/schema';
import { classifyMetaError } from '../../domain/metaErrors';
import type { SecretBox } from '../../security/secretBox';
import { httpRequest } from '../http';

/** One template as GET /{waba-id}/message_templates lists it. */
export interface GraphTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components: unknown[];
}

/** Lists a provider's templates (Meta's WABA, Twilio's Content API) for the sync; one per location from ActivityDeps. */
export interface TemplateLister {
  listAll(wabaId: string): Promise<GraphTemplate[]>;
}

export class TemplateListError extends Error {
  override name = 'TemplateListError';
  constructor(message: string, readonly code: number, readonly httpStatus: number, readonly retryable: boolean) {
    super(message);
  }
}

export const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';
const PAGE_SIZE = 100;
const MAX_PAGES = 200;

interface TemplatePageBody {
  data?: GraphTemplate[];
  paging?: { next?: string };
  error?: { code?: number; message?: string; is_transient?: boolean };
}

/** The WhatsApp Business Management API's template listing, every page (cursor `paging.next` until absent). */
export class MetaTemplatesClient implements TemplateLister {
  constructor(private readonly graphBaseUrl: string, private readonly accessToken: string) {}

  firstPageUrl(wabaId: string): string {
    const query = new URLSearchParams({ fields: TEMPLATE_FIELDS, limit: String(PAGE_SIZE) });
    return `${this.graphBaseUrl}/${encodeURIComponent(wabaId)}/message_templates?${query.toString()}`;
  }

  async listAll(wabaId: string): Promise<GraphTemplate[]> {
    const templates: GraphTemplate[] = [];
    const origin = new URL(this.graphBaseUrl).origin;
    let url: string | undefined = this.firstPageUrl(wabaId);
    for (let page = 0; url; page += 1) {
      if (page >= MAX_PAGES) throw new TemplateListError(`more than ${MAX_PAGES} pages of templates; stopped`, -1, 0, false);
      const response = await httpRequest(url, { method: 'GET', headers: { authorization: `Bearer ${this.accessToken}`, accept: 'application/json' } });
      const body = (typeof response.body === 'object' && response.body ? response.body : {}) as TemplatePageBody;
      if (response.status !== 200 || !Array.isArray(body.data)) {
        const code = body.error?.code ?? -1;
        const retryable = classifyMetaError({ code, httpStatus: response.status, isTransient: body.error?.is_transient }) === 'retry' || response.status === 429;
        const detail = body.error?.message ?? response.text.slice(0, 200);
        throw new TemplateListError(`listing templates of WABA ${wabaId}: Graph answered ${response.status} (${code}): ${detail}`, code, response.status, retryable);
      }
      templates.push(...body.data);
      const next = body.paging?.next;
      // The bearer token only ever goes back to the Graph host we were configured with.
      url = next && new URL(next).origin === origin ? next : undefined;
    }
    return templates;
  }
}

/** The client for a location's WABA, with its decrypted Cloud API token. */
export function templatesClientFor(graphBaseUrl: string, box: SecretBox, location: LocationRow): MetaTemplatesClient {
  if (location.whatsapp_backend !== 'cloud' || !location.whatsapp_access_token_enc) {
    throw new TemplateListError(`location ${location.id}: template sync needs the WhatsApp Cloud API back end with an access token`, -1, 0, false);
  }
  return new MetaTemplatesClient(graphBaseUrl, box.decrypt(location.whatsapp_access_token_enc));
}
