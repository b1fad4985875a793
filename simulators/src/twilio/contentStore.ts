import type { ContentApproval, ContentApprovalStatus, ContentInput } from './types';
import { newSid } from './wireFormat';

export interface StoredContent {
  sid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
  approval?: ContentApproval;
  createdAt: number;
  updatedAt: number;
}

/** Why a WhatsApp send of this content fails, or undefined when it may go out. */
export interface ContentRejection {
  status: 'failed' | 'undelivered';
  errorCode: number;
}

/**
 * Approval state → async failure of a WhatsApp send.
 * - rejected → 63040 ("matches a template that was rejected by WhatsApp", Twilio error page).
 * - paused / disabled → 63041 / 63042 (Twilio's template-paused / template-disabled codes; from memory, not in the reference).
 * - pending → 63016: an unapproved template can only go out as a session message, so outside the window it fails like a
 *   free-form message. We pick 63016 (documented, and what receivers already handle) over 63027 (template not found).
 * Never submitted (no approval) is allowed: Twilio sends such content inside the 24 h session window, which the
 * simulator does not model.
 */
const REJECTIONS: Record<Exclude<ContentApprovalStatus, 'approved'>, ContentRejection> = {
  pending: { status: 'undelivered', errorCode: 63016 },
  rejected: { status: 'failed', errorCode: 63040 },
  paused: { status: 'failed', errorCode: 63041 },
  disabled: { status: 'failed', errorCode: 63042 },
};

export class ContentStore {
  private readonly contents: StoredContent[] = [];

  add(input: ContentInput): string {
    const sid = input.sid ?? newSid('HX');
    if (!/^HX[0-9a-fA-F]{32}$/.test(sid)) throw new Error(`Content sid must be HX + 32 hex characters: ${sid}`);
    if (this.get(sid)) throw new Error(`Content ${sid} already exists`);
    const now = Date.now();
    this.contents.push({
      sid,
      friendlyName: input.friendlyName,
      language: input.language,
      variables: { ...(input.variables ?? {}) },
      types: structuredClone(input.types),
      approval: input.approval ? { ...input.approval } : undefined,
      createdAt: now,
      updatedAt: now,
    });
    return sid;
  }

  get(sid: string): StoredContent | undefined {
    return this.contents.find((content) => content.sid === sid);
  }

  /** In creation order, like Twilio's list. */
  list(): readonly StoredContent[] {
    return this.contents;
  }

  setApproval(sid: string, status: ContentApprovalStatus): void {
    const content = this.get(sid);
    if (!content) throw new Error(`Unknown content ${sid}`);
    content.approval = { ...(content.approval ?? {}), status };
    content.updatedAt = Date.now();
  }

  whatsAppRejection(content: StoredContent): ContentRejection | undefined {
    const status = content.approval?.status;
    return status === undefined || status === 'approved' ? undefined : REJECTIONS[status];
  }

  /** The text a recipient sees: the first type with a `body`, placeholders filled from sent values, then defaults. */
  renderBody(content: StoredContent, sentVariables: Record<string, string> = {}): string | undefined {
    for (const definition of Object.values(content.types)) {
      if (definition && typeof definition === 'object' && 'body' in definition && typeof definition.body === 'string') {
        return fill(definition.body, { ...content.variables, ...sentVariables });
      }
    }
    return undefined;
  }

  /** The media a recipient gets: the first type with `media`, its URL variables filled like the body's. */
  renderMedia(content: StoredContent, sentVariables: Record<string, string> = {}): string[] {
    for (const definition of Object.values(content.types)) {
      if (definition && typeof definition === 'object' && 'media' in definition && Array.isArray(definition.media)) {
        return definition.media.filter((url): url is string => typeof url === 'string').map((url) => fill(url, { ...content.variables, ...sentVariables }));
      }
    }
    return [];
  }
}

/** Placeholders filled from the values (sent ones over the content's samples); unknown ones stay. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
