import { templateParts } from '../../src/domain/templateDefinitions';
import { contentAsTemplate } from '../../src/providers/twilio/contentTemplates';
import type { SyncedContent } from '../../src/providers/twilio/messagingClient';
import type { ContentInput } from '@ghl-whatsapp/simulators';

/** What the template sync stores for a simulator content, as the Twilio client gets it back (src/store/templates.ts). */
export function syncedContent(contentSid: string, content: ContentInput): SyncedContent {
  const row = contentAsTemplate({
    sid: contentSid,
    friendly_name: content.friendlyName,
    language: content.language,
    variables: content.variables ?? {},
    types: content.types,
    approval_requests: { status: content.approval?.status ?? 'unsubmitted', name: content.approval?.name ?? '', category: content.approval?.category ?? '' },
  });
  if (!row) throw new Error(`content ${contentSid} is no WhatsApp template`);
  return {
    contentSid,
    template: {
      name: row.name,
      language: row.language,
      category: row.category,
      status: row.status,
      parameterFormat: row.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL',
      ...templateParts(row.components),
    },
  };
}
