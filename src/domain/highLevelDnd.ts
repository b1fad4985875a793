/**
 * HighLevel's Do Not Disturb, as contacts.json defines it: `dnd` (every channel) and `dndSettings.<channel>.status`
 * `active | inactive | permanent` (DndSettingSchema). `permanent` blocks like `active` and is never lifted by us.
 */

export type DndChannel = 'SMS' | 'WhatsApp' | 'Call' | 'Email' | 'GMB' | 'FB';
export const DND_CHANNELS: readonly DndChannel[] = ['Call', 'Email', 'SMS', 'WhatsApp', 'GMB', 'FB'];

export interface DndSetting {
  status?: string;
  message?: string;
  code?: string;
}

export type DndSettings = Partial<Record<DndChannel, DndSetting>>;

export interface ContactDnd {
  dnd?: boolean;
  dndSettings?: DndSettings | null;
}

/** A channel is blocked by any status but `inactive`: `active`, `permanent`, or a value HighLevel adds later. */
export function dndBlocks(setting: DndSetting | undefined): boolean {
  const status = setting?.status?.trim();
  return !!status && status !== 'inactive';
}

/** What the delivery policy needs: WhatsApp blocked (its own DND or DND on everything), SMS blocked, everything blocked. */
export function contactDndFacts(contact: ContactDnd | null | undefined): { whatsApp: boolean; sms: boolean; all: boolean } {
  const all = contact?.dnd === true;
  return {
    all,
    whatsApp: all || dndBlocks(contact?.dndSettings?.WhatsApp),
    sms: all || dndBlocks(contact?.dndSettings?.SMS),
  };
}

/**
 * The whole `dndSettings` map to PUT when one channel changes: HighLevel replaces what is sent, so every other
 * channel goes back as it was. A `permanent` DND is kept: a keyword never lifts it.
 */
export function withChannelDnd(current: DndSettings | null | undefined, channel: DndChannel, setting: DndSetting & { status: 'active' | 'inactive' }): DndSettings {
  const merged: DndSettings = {};
  // Only what DndSettingSchema allows goes back (status required; message, code optional).
  for (const name of DND_CHANNELS) {
    const entry = current?.[name];
    if (!entry?.status) continue;
    merged[name] = { status: entry.status, ...(entry.message !== undefined ? { message: entry.message } : {}), ...(entry.code !== undefined ? { code: entry.code } : {}) };
  }
  if (merged[channel]?.status === 'permanent') return merged;
  merged[channel] = setting;
  return merged;
}
