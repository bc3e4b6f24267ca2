// The coordinator's groups by id, and whether it can serve them yet (offsets loaded) or still (not closed).
import { Group } from './group.js';
import type { GroupTimers } from './timers.js';

export class GroupRegistry {
  private readonly groups = new Map<string, Group>();
  /** Committed offsets are loaded: until then requests get COORDINATOR_LOAD_IN_PROGRESS (or its equivalent). */
  loaded = false;
  /** close() was called: requests get NOT_COORDINATOR. */
  closed = false;

  constructor(private readonly timers: GroupTimers) {}

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  getOrCreate(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  all(): Group[] {
    return [...this.groups.values()];
  }

  /** Forgets a group (deleted, or Empty without offsets); a request naming it later starts a new one. */
  drop(group: Group): void {
    group.state = 'Dead';
    group.joinTimer = this.timers.cancel(group.joinTimer);
    group.syncTimer = this.timers.cancel(group.syncTimer);
    for (const t of group.pendingMembers.values()) this.timers.cancel(t);
    group.pendingMembers.clear();
    group.offsets.clear();
    this.groups.delete(group.groupId);
  }
}
