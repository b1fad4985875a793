import type { LocationRow } from '../../db/schema';
import { classifyTwilioError } from '../../domain/twilioErrors';
import type { SecretBox } from '../../security/secretBox';
import { httpRequest } from '../http';
import { TemplateListError, type GraphTemplate, type TemplateLister } from '../meta/templatesClient';
import { contentAsTemplate, type TwilioContent } from './contentTemplates';
import type { TwilioCredentials } from './messagingClient';
import { twilioAuthorization } from './basicAuth';

const PAGE_SIZE = 100;
const MAX_PAGES = 200;

interface ContentPageBody {
  contents?: TwilioContent[];
  meta?: { next_page_url?: string | null };
  code?: number;
  message?: string;
}

/** The Content API lives on its own host in production; elsewhere (the simulator) next to the Messages API. */
export function contentApiBaseUrl(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  if (url.hostname === 'api.twilio.com') url.hostname = 'content.twilio.com';
  return url.toString().replace(/\/+$/, '');
}

/** The account's WhatsApp-approved Content templates, every page (`meta.next_page_url` until null), as registry rows. */
export class TwilioContentTemplatesClient implements TemplateLister {
  constructor(private readonly contentBaseUrl: string, private readonly credentials: TwilioCredentials) {}

  firstPageUrl(): string {
    return `${this.contentBaseUrl}/v1/ContentAndApprovals?PageSize=${PAGE_SIZE}`;
  }

  /** `owner` is the registry's account key (the Account SID for Twilio); the credentials already name the account. */
  async listAll(owner: string): Promise<GraphTemplate[]> {
    const templates: GraphTemplate[] = [];
    const origin = new URL(this.contentBaseUrl).origin;
    let url: string | undefined = this.firstPageUrl();
    for (let page = 0; url; page += 1) {
      if (page >= MAX_PAGES) throw new TemplateListError(`more than ${MAX_PAGES} pages of Content templates; stopped`, -1, 0, false);
      const response = await httpRequest(url, { method: 'GET', headers: { authorization: this.authorization(), accept: 'application/json' } });
      const body = (typeof response.body === 'object' && response.body ? response.body : {}) as ContentPageBody;
      if (response.status !== 200 || !Array.isArray(body.contents)) {
        const code = body.code ?? -1;
        const retryable = classifyTwilioError({ code, httpStatus: response.status }) === 'retry';
        const detail = body.message ?? response.text.slice(0, 200);
        throw new TemplateListError(`listing Content templates of Twilio account ${owner}: Twilio answered ${response.status} (${code}): ${detail}`, code, response.status, retryable);
      }
      for (const content of body.contents) {
        const template = contentAsTemplate(content);
        if (template) templates.push(template);
      }
      const next = body.meta?.next_page_url ?? undefined;
      // The account's credentials only ever go back to the Content API host we were configured with.
      url = next && new URL(next).origin === origin ? next : undefined;
    }
    return templates;
  }

  private authorization(): string {
    return twilioAuthorization(this.credentials);
  }
}

/** The client for a location's Twilio account, with its decrypted auth token. */
export function twilioTemplatesClientFor(apiBaseUrl: string, box: SecretBox, location: LocationRow): TwilioContentTemplatesClient {
  if (!location.twilio_account_sid || !location.twilio_auth_token_enc) {
    throw new TemplateListError(`location ${location.id}: template sync on Twilio needs the account SID and auth token (twilio.accountSid, twilio.authToken)`, -1, 0, false);
  }
  return new TwilioContentTemplatesClient(contentApiBaseUrl(apiBaseUrl), {
    accountSid: location.twilio_account_sid,
    authToken: box.decrypt(location.twilio_auth_token_enc),
  });
}
