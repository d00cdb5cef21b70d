/**
 * Larger than Node's defaults (16 KiB written ahead, 64 KiB read at a time): chunks queued while a
 * write is under way go to disk in one writev, and a download takes fewer reads and socket
 * writes; both cut CPU per GiB. Per transfer that is at most this much memory.
 */
export const WRITE_BUFFER = 1024 * 1024
export const READ_CHUNK = 256 * 1024
