/**
 * The bot token scopes the code uses, each with where; `manifest.yml` must declare exactly these
 * (a test checks both ways).
 */
export const BOT_SCOPES = {
  /** Slash commands (bolt-app.ts registers one listener per command module). */
  commands: 'commands',
  /** Progress threads and audit posts (slack-surface.ts: chat.postMessage, chat.update). */
  chatWrite: 'chat:write',
  /** Permission checks by user group (group-directory.ts: usergroups.users.list). */
  userGroupsRead: 'usergroups:read',
} as const;
