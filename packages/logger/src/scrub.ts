/** Query parameters of a signed link that grant access: a logged link must not be a usable one. */
const SIGNED_QUERY =
  /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|signature|sig|token)=)[^&#\s"'<>]+/gi;
/** `Authorization: Bearer …` values, JWTs and our API keys, wherever they appear in a string. */
const BEARER = /\b(Bearer\s+)[\w.~+/=-]+/gi;
const API_KEY = /\brpt_[\w-]{8,}/g;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g;

/**
 * A string with the secrets a log line could carry replaced by `[redacted]`: signatures of presigned
 * and signed download links, bearer tokens, JWTs and API keys. The rest stays readable.
 *
 * @example
 * scrub("GET https://s3/reports/1.pdf?X-Amz-Signature=abc") // "GET https://s3/reports/1.pdf?X-Amz-Signature=[redacted]"
 */
export function scrub(text: string): string {
  return text
    .replace(SIGNED_QUERY, "$1[redacted]")
    .replace(BEARER, "$1[redacted]")
    .replace(JWT, "[redacted]")
    .replace(API_KEY, "rpt_[redacted]");
}
