import { ApplicationFailure } from '@temporalio/activity';
import { TemplateListError } from '../src/providers/meta/templatesClient';
import { applyTemplateSync, locationsWithTemplates, recordTemplateSyncFailure, type TemplateSyncSummary } from '../src/store/templates';
import type { ActivityDeps } from './deps';
import { requireLocation } from './locations';
import { FAILURE } from '../src/domain/failures';


export function createTemplateActivities({ db, templateListerFor }: ActivityDeps) {
  return {
    /** Every location the scheduled sync covers. */
    async listTemplateSyncLocations(): Promise<string[]> {
      return locationsWithTemplates(db);
    },

    /** Lists all of the WABA's (or Twilio account's) templates, every page, and stores them with their status changes. */
    async syncLocationTemplates(input: { locationId: string }): Promise<TemplateSyncSummary> {
      const location = await requireLocation(db, input.locationId);
      // Whose templates: the WABA on the Cloud API, the Twilio account (its Content templates) on Twilio.
      const twilio = location.whatsapp_backend === 'twilio';
      const owner = twilio ? location.twilio_account_sid : location.whatsapp_waba_id;
      try {
        if (!owner) {
          const missing = twilio ? 'Twilio Account SID (twilio.accountSid)' : 'WhatsApp Business Account id (whatsapp.wabaId)';
          throw new TemplateListError(`location ${location.id} has no ${missing}`, -1, 0, false);
        }
        const listed = await templateListerFor(location).listAll(owner);
        return await applyTemplateSync(db, location.id, owner, listed);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await recordTemplateSyncFailure(db, location.id, message);
        if (error instanceof TemplateListError && !error.retryable) throw ApplicationFailure.nonRetryable(message, FAILURE.templateSyncRejected);
        throw error;
      }
    },
  };
}
