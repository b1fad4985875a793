import { pushHighLevelStatus, sendWhatsAppText, type ReferenceConfig } from './shared';

export interface FloorActivities {
  floorSend(input: { to: string; text: string; reference: string }): Promise<string>;
  floorPushStatus(input: { messageId: string; status: string }): Promise<void>;
}

export function createFloorActivities(config: ReferenceConfig): FloorActivities {
  return {
    floorSend: (input) => sendWhatsAppText(config, input.to, input.text, input.reference),
    floorPushStatus: (input) => pushHighLevelStatus(config, input.messageId, input.status),
  };
}
