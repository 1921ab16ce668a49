/**
 * Intrusive doubly linked list of connections (links live in the Connection, so moving a
 * connection costs no allocation). A connection is in at most one list at a time: one of the two
 * open lists (embryonic or established, each ordered by last activity, least recent first) or the
 * lingering list (ordered by close time).
 */

export interface ListNode {
  prev: ListNode | null;
  next: ListNode | null;
}

export class ConnList<T extends ListNode> {
  head: T | null = null;
  tail: T | null = null;
  size = 0;

  /** Appends a node that is in no list. */
  append(node: T): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail !== null) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  /** Unlinks a node that is in this list. */
  remove(node: T): void {
    if (node.prev !== null) node.prev.next = node.next;
    else this.head = node.next as T | null;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev as T | null;
    node.prev = null;
    node.next = null;
    this.size--;
  }

  /** Moves a node of this list to the tail (most recent). O(1). */
  moveToTail(node: T): void {
    if (this.tail === node) return;
    this.remove(node);
    this.append(node);
  }
}
