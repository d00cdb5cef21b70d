/** Limits shared by the server and the clients. */
export const LIST_LIMIT_DEFAULT = 100
export const LIST_LIMIT_MAX = 1000
export const URL_EXPIRES_DEFAULT_SECONDS = 3600
export const URL_EXPIRES_MAX_SECONDS = 604_800
export const KEY_MAX_BYTES = 1024
export const KEY_SEGMENT_MAX_BYTES = 255
/** The seed's "Max 500 MB" for the form upload. */
export const FORM_UPLOAD_MAX_BYTES_DEFAULT = 500 * 1000 * 1000
