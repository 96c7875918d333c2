// The range of user and group ids C can hold, apart from nss.ts so that checking an id in a
// watchtab does not load ffi-rs.

/**
 * A uid or gid C can hold: 0 to 2^32-2 (2^32-1 is (uid_t)-1, "no id"). Anything else would be
 * truncated to 32 bits on its way to C (4294967296 would become 0, root), so it is never passed.
 */
export const MAX_ID = 4_294_967_294;
